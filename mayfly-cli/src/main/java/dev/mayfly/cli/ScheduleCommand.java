package dev.mayfly.cli;

import dev.mayfly.Admin;
import dev.mayfly.Mayfly;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "schedule",
    description = "Act on one recurring job: run it now, pause it, resume it.",
    subcommands = {
      ScheduleCommand.Run.class,
      ScheduleCommand.Pause.class,
      ScheduleCommand.Resume.class
    })
final class ScheduleCommand {
  /** What the three have in common: the store, one schedule's name, a line saying what was done. */
  abstract static class OnSchedule implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "NAME")
    String name;

    /** Does it; returns what to tell. */
    abstract String act(Admin admin);

    @Override
    public Integer call() {
      try (Mayfly mayfly = common.openExisting()) {
        spec.commandLine().getOut().println(act(mayfly.admin()));
      }
      return 0;
    }
  }

  @Command(name = "run", description = "Enqueue a job of the schedule now, outside its times.")
  static final class Run extends OnSchedule {
    @Override
    String act(Admin admin) {
      return "schedule " + name + ": enqueued job " + admin.runSchedule(name);
    }
  }

  @Command(
      name = "pause",
      description = "Stop the schedule firing until resumed; its times pass unhandled.")
  static final class Pause extends OnSchedule {
    @Override
    String act(Admin admin) {
      admin.pauseSchedule(name, true);
      return "schedule " + name + " is paused";
    }
  }

  @Command(
      name = "resume",
      description = "Let the schedule fire again; missed times catch up by its policy.")
  static final class Resume extends OnSchedule {
    @Override
    String act(Admin admin) {
      admin.pauseSchedule(name, false);
      return "schedule " + name + " fires again";
    }
  }
}
