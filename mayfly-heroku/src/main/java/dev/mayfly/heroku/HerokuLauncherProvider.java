package dev.mayfly.heroku;

import dev.mayfly.launch.Launcher;
import dev.mayfly.launch.LauncherProvider;
import java.time.InstantSource;
import java.util.Map;
import java.util.function.LongSupplier;

/** Makes {@code heroku} selectable, and chosen by {@code auto} when its credentials are set. */
public final class HerokuLauncherProvider implements LauncherProvider {
  @Override
  public String name() {
    return "heroku";
  }

  @Override
  public boolean isConfigured(Map<String, String> env) {
    return HerokuConfig.isConfigured(env);
  }

  @Override
  public Launcher create(Map<String, String> env, InstantSource clock, LongSupplier ticker) {
    return new HerokuLauncher(HerokuConfig.fromEnv(env), clock, ticker);
  }
}
