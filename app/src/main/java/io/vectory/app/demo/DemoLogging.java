package io.vectory.app.demo;

import java.nio.file.Path;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.api.LayoutComponentBuilder;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;

/**
 * The demo runs a broker, a Streams app and clients in its own JVM; their logs go to a file so the terminal shows
 * the demo (and stdout stays pure JSON with {@code --json}). Vectory's own errors also reach stderr.
 */
final class DemoLogging {
  // java.util.logging keeps loggers weakly: hold the one whose level is set.
  private static final java.util.logging.Logger LUCENE = java.util.logging.Logger.getLogger("org.apache.lucene");

  private DemoLogging() {}

  static void toFile(Path file) {
    ConfigurationBuilder<BuiltConfiguration> b = ConfigurationBuilderFactory.newConfigurationBuilder();
    b.setStatusLevel(Level.ERROR);
    b.setConfigurationName("vectory-demo");
    LayoutComponentBuilder layout = b.newLayout("PatternLayout").addAttribute("pattern", "%d{HH:mm:ss.SSS} %-5level [%t] %c{1.} - %msg%n");
    b.add(b.newAppender("file", "File").addAttribute("fileName", file.toAbsolutePath().toString()).addAttribute("append", false).add(layout));
    b.add(b.newAppender("stderr", "Console").addAttribute("target", ConsoleAppender.Target.SYSTEM_ERR).add(layout)
        .add(b.newFilter("ThresholdFilter", org.apache.logging.log4j.core.Filter.Result.ACCEPT, org.apache.logging.log4j.core.Filter.Result.DENY)
            .addAttribute("level", Level.ERROR)));
    b.add(b.newRootLogger(Level.INFO).add(b.newAppenderRef("file")));
    // Vectory's own errors (e.g. a failing stream thread) show on the terminal; Kafka's stay in the file, where the
    // recoverable ones (a retried transaction, say) do not alarm anyone. A failed run names the file.
    b.add(b.newLogger("io.vectory", Level.INFO).add(b.newAppenderRef("stderr")).addAttribute("additivity", true));
    // Kafka's INFO is thousands of lines per run; WARN keeps what matters.
    for (String noisy : new String[] {"org.apache.kafka", "kafka", "state.change.logger", "org.apache.zookeeper"}) {
      b.add(b.newLogger(noisy, Level.WARN));
    }
    Configurator.reconfigure(b.build());
    // Lucene announces its Vector API use on java.util.logging at INFO, to the terminal.
    LUCENE.setLevel(java.util.logging.Level.WARNING);
  }
}
