package io.vectory.app.web;

import io.vectory.app.store.StoreOptions;
import io.vectory.core.projection.UmapOptions;
import io.vectory.store.SpaceStore;
import io.vectory.sink.StoreUnavailableException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vectory run}: the web analyser over the store (2-D projections, coincidence colours, k-NN side by side). */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Serve the web analyser of the stored spaces:",
        "  - 2-D projections: PCA, UMAP, or PCA to 50 dimensions then UMAP;",
        "  - points coloured by a metadata column (e.g. label), or by coincidence: each",
        "    point's k-NN Jaccard between space A and space B;",
        "  - click a point: its k nearest neighbours in A and in B, side by side.",
        "Open the printed URL in a browser; Ctrl-C stops it."})
public final class RunCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @Mixin StoreOptions storeOptions;

  @Option(names = "--port", defaultValue = "8501", description = "Port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}, Vectory's address).")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
  String host;

  @Option(names = "--allow-host", split = ",", paramLabel = "NAME",
      description = "Also answer requests whose Host header names NAME (besides the loopback names and --host); "
          + "others are refused, so a DNS-rebinding page cannot read the store.")
  java.util.List<String> allowHosts = new java.util.ArrayList<>();

  @Option(names = "--seed", defaultValue = "42", description = "Seed of the UMAP layouts (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (port < 0 || port > 65535) {
      err.println("vectory run: --port " + port + ": expected 0..65535");
      err.flush();
      return 2;
    }
    SpaceStore store;
    try {
      store = storeOptions.open();
    } catch (StoreUnavailableException | UncheckedIOException | IllegalArgumentException e) {
      err.println("vectory run: " + e.getMessage());
      err.flush();
      return 3;
    }
    try (store; AnalyserServer server = AnalyserServer.start(store, host, port, UmapOptions.defaults().withSeed(seed), allowHosts)) {
      int spaces = store.indices().size();
      out.println("Vectory analyser on " + server.url() + "  (store: " + store.location() + ", " + spaces + " indices)");
      if (spaces == 0) out.println("The store is empty: run `vectory demo` (or the pipeline) first, then reload the page.");
      out.println("Ctrl-C stops it.");
      out.flush();
      // Ctrl-C: the hook wakes this thread, which closes server and store, and waits until they are closed.
      CountDownLatch stop = new CountDownLatch(1);
      CountDownLatch closed = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        stop.countDown();
        try {
          closed.await(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
      try {
        stop.await();
      } finally {
        server.close();
        store.close();
        closed.countDown();
      }
      return 0;
    } catch (BindException e) {
      err.println("vectory run: cannot listen on " + host + ":" + port + " (" + e.getMessage() + "); try --port 0 or another port");
    } catch (IOException e) {
      err.println("vectory run: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
    err.flush();
    return 1;
  }
}
