package dev.mayfly.internal.jobs;

import dev.mayfly.api.Job;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;

/** What Mayfly knows of one job type: its stable name, its class, its argument record, limits. */
public record JobDescriptor(
    String name,
    Class<? extends Job<?>> jobClass,
    Class<? extends Record> argsType,
    Duration timeout) {

  /** A fresh instance for one execution. */
  @SuppressWarnings("unchecked")
  public Job<Record> newInstance() {
    try {
      return (Job<Record>) jobClass.getDeclaredConstructor().newInstance();
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(
          "constructor of job type '" + name + "' (" + jobClass.getName() + ") threw",
          e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "cannot create job type '"
              + name
              + "': "
              + jobClass.getName()
              + " needs a public no-argument constructor",
          e);
    }
  }
}
