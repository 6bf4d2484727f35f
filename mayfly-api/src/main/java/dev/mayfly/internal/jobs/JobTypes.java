package dev.mayfly.internal.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.mayfly.api.InvalidJobException;
import dev.mayfly.api.Job;
import dev.mayfly.api.JobType;
import dev.mayfly.internal.names.QueueNames;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The registry of job types known to an app and to its runners, and the binding of their JSON
 * arguments. Runners learn the registry from the {@code MAYFLY_JOBS} environment variable that
 * {@link #encode()} writes, so a runner process needs no configuration of its own.
 */
public final class JobTypes {
  /** Larger arguments belong in the app's own storage, referenced by id. */
  public static final int MAX_ARGS_BYTES = 256 * 1024;

  private final Map<String, JobDescriptor> byName;
  private final Map<Class<?>, JobDescriptor> byClass;

  private JobTypes(Map<String, JobDescriptor> byName) {
    this.byName = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byName));
    this.byClass =
        byName.values().stream()
            .collect(Collectors.toUnmodifiableMap(JobDescriptor::jobClass, d -> d));
  }

  public static JobTypes of(Collection<Class<? extends Job<?>>> classes) {
    Map<String, JobDescriptor> byName = new LinkedHashMap<>();
    for (Class<? extends Job<?>> c : classes) {
      JobDescriptor d = describe(c);
      JobDescriptor clash = byName.putIfAbsent(d.name(), d);
      if (clash != null && clash.jobClass() != c) {
        throw new IllegalArgumentException(
            "job types "
                + clash.jobClass().getName()
                + " and "
                + c.getName()
                + " are both named '"
                + d.name()
                + "'; give one of them another name with @JobType(\"...\")");
      }
    }
    return new JobTypes(byName);
  }

  /** Reads what {@link #encode()} wrote: {@code name=class,name=class}. */
  public static JobTypes decode(String encoded, ClassLoader loader) {
    List<Class<? extends Job<?>>> classes = new ArrayList<>();
    if (encoded != null && !encoded.isBlank()) {
      for (String entry : encoded.split(",")) {
        String className = entry.substring(entry.indexOf('=') + 1).trim();
        classes.add(loadJobClass(className, loader));
      }
    }
    return of(classes);
  }

  @SuppressWarnings("unchecked")
  public static Class<? extends Job<?>> loadJobClass(String className, ClassLoader loader) {
    Class<?> c;
    try {
      c = Class.forName(className, false, loader);
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException(
          "job class " + className + " is not on the class path; check its name and the jars", e);
    }
    if (!Job.class.isAssignableFrom(c)) {
      throw new IllegalArgumentException(className + " does not implement " + Job.class.getName());
    }
    return (Class<? extends Job<?>>) c;
  }

  public String encode() {
    return byName.values().stream()
        .map(d -> d.name() + "=" + d.jobClass().getName())
        .collect(Collectors.joining(","));
  }

  public Collection<JobDescriptor> all() {
    return byName.values();
  }

  public Optional<JobDescriptor> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The descriptor for a type name, or an error listing the known names. */
  public JobDescriptor byName(String name) {
    JobDescriptor d = byName.get(name);
    if (d == null) {
      throw new InvalidJobException(
          "unknown job type '"
              + name
              + "'; known types: "
              + (byName.isEmpty() ? "(none registered)" : String.join(", ", byName.keySet()))
              + ". Register the class with MayflyConfig.builder().jobs(...)");
    }
    return d;
  }

  public JobDescriptor byClass(Class<?> jobClass) {
    JobDescriptor d = byClass.get(jobClass);
    if (d == null) {
      throw new InvalidJobException(
          "job class "
              + jobClass.getName()
              + " is not registered; add it with MayflyConfig.builder().jobs("
              + jobClass.getSimpleName()
              + ".class)");
    }
    return d;
  }

  /** Writes arguments as JSON, checking they would bind back and are not too large. */
  public String toJson(JobDescriptor d, Record args) {
    if (args == null || !d.argsType().isInstance(args)) {
      throw new InvalidJobException(
          "job type '"
              + d.name()
              + "' takes arguments of type "
              + d.argsType().getName()
              + ", got "
              + (args == null ? "null" : args.getClass().getName()));
    }
    String json;
    try {
      json = Json.mapper().writeValueAsString(args);
    } catch (JsonProcessingException e) {
      throw new InvalidJobException(
          "arguments of job type '" + d.name() + "' cannot be written as JSON: " + e.getMessage(),
          e);
    }
    checkSize(d, json);
    return json;
  }

  /**
   * Binds JSON text to the type's record; returns the JSON re-written in canonical form. Every
   * problem (not JSON, unknown field, missing field, wrong type, too large) is an {@link
   * InvalidJobException} naming the field.
   */
  public String validateJson(JobDescriptor d, String json) {
    return toJson(d, bind(d, json));
  }

  /**
   * Builds, ahead of the first job, what binding each type's arguments needs (Jackson's
   * deserializers, found by reflection and cached by the mapper): in a fresh runner JVM that is
   * tens of milliseconds the first job of each type would otherwise wait for.
   */
  public void prepareBinding() {
    for (JobDescriptor d : all()) {
      try {
        Json.mapper().readValue("{}", d.argsType()); // the same path as bind, on no arguments
      } catch (Exception e) {
        // arguments it needs are missing: the deserializer is built all the same
      }
    }
  }

  public Record bind(JobDescriptor d, String json) {
    if (json == null || json.isBlank()) {
      throw new InvalidJobException(
          "arguments of job type '" + d.name() + "' are empty; pass a JSON object such as {}");
    }
    checkSize(d, json);
    try {
      return Json.mapper().readValue(json, d.argsType());
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidJobException(
          "job type '"
              + d.name()
              + "' has no argument '"
              + e.getPropertyName()
              + "'; its arguments are "
              + fieldsOf(d.argsType()),
          e);
    } catch (InvalidFormatException e) {
      throw new InvalidJobException(
          "argument '"
              + path(e)
              + "' of job type '"
              + d.name()
              + "' must be "
              + e.getTargetType().getSimpleName()
              + ", got "
              + e.getValue(),
          e);
    } catch (MismatchedInputException e) {
      String field = path(e);
      if (String.valueOf(e.getOriginalMessage()).startsWith("Missing creator property")) {
        throw new InvalidJobException(
            "job type '"
                + d.name()
                + "' needs argument '"
                + field
                + "'; its arguments are "
                + fieldsOf(d.argsType()),
            e);
      }
      throw new InvalidJobException(
          "arguments of job type '"
              + d.name()
              + "' do not match "
              + fieldsOf(d.argsType())
              + (field.isEmpty() ? "" : " at '" + field + "'")
              + ": "
              + e.getOriginalMessage(),
          e);
    } catch (JsonProcessingException e) {
      throw new InvalidJobException(
          "arguments of job type '"
              + d.name()
              + "' are not valid JSON: "
              + e.getOriginalMessage()
              + "; pass a JSON object such as "
              + fieldsOf(d.argsType()),
          e);
    }
  }

  private static void checkSize(JobDescriptor d, String json) {
    int bytes = json.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_ARGS_BYTES) {
      throw new InvalidJobException(
          "arguments of job type '"
              + d.name()
              + "' are "
              + bytes
              + " bytes, over the limit of "
              + MAX_ARGS_BYTES
              + "; store large data elsewhere and pass its id");
    }
  }

  private static String path(MismatchedInputException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  private static String fieldsOf(Class<? extends Record> type) {
    StringBuilder sb = new StringBuilder("{");
    var components = type.getRecordComponents();
    for (int i = 0; i < components.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append('"')
          .append(components[i].getName())
          .append("\": ")
          .append(components[i].getType().getSimpleName());
    }
    return sb.append('}').toString();
  }

  static JobDescriptor describe(Class<? extends Job<?>> c) {
    if (c.isInterface() || Modifier.isAbstract(c.getModifiers())) {
      throw new IllegalArgumentException(
          c.getName() + " is abstract; register a concrete job class");
    }
    JobType annotation = c.getAnnotation(JobType.class);
    String name =
        annotation == null || annotation.value().isEmpty()
            ? kebab(c.getSimpleName())
            : annotation.value();
    if (!QueueNames.isValid(name)) {
      throw new IllegalArgumentException(
          "job type " + c.getName() + ": " + QueueNames.problem(name));
    }
    long timeoutSeconds = annotation == null ? 300 : annotation.timeoutSeconds();
    if (timeoutSeconds <= 0) {
      throw new IllegalArgumentException(
          "job type '" + name + "': @JobType(timeoutSeconds) must be positive");
    }
    int maxAttempts = annotation == null ? 10 : annotation.maxAttempts();
    long backoff = annotation == null ? 15 : annotation.backoffSeconds();
    if (maxAttempts < 1 || backoff < 0) {
      throw new IllegalArgumentException(
          "job type '"
              + name
              + "': @JobType(maxAttempts) must be at least 1 and backoffSeconds zero or more");
    }
    return new JobDescriptor(
        name,
        c,
        argsTypeOf(c),
        Duration.ofSeconds(timeoutSeconds),
        maxAttempts,
        Duration.ofSeconds(backoff));
  }

  /** Finds A in {@code implements Job<A>}, walking up the class hierarchy. */
  @SuppressWarnings("unchecked")
  static Class<? extends Record> argsTypeOf(Class<?> c) {
    for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
      for (Type t : k.getGenericInterfaces()) {
        if (t instanceof ParameterizedType p && p.getRawType() == Job.class) {
          Type arg = p.getActualTypeArguments()[0];
          if (arg instanceof Class<?> argClass && Record.class.isAssignableFrom(argClass)) {
            return (Class<? extends Record>) argClass;
          }
        }
      }
    }
    throw new IllegalArgumentException(
        c.getName()
            + " must name its argument record directly, as in 'implements Job<"
            + c.getSimpleName()
            + ".Args>'");
  }

  static String kebab(String simpleName) {
    return simpleName
        .replaceAll("([a-z0-9])([A-Z])", "$1-$2")
        .replaceAll("([A-Z]+)([A-Z][a-z])", "$1-$2")
        .toLowerCase(java.util.Locale.ROOT);
  }
}
