package io.vectory.store;

import io.vectory.core.space.Space;
import io.vectory.core.space.SpaceSource;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Lets {@code vectory compare} (and anything taking a space argument) name a registered space:
 * {@code experiment/space@step}, {@code experiment/space} (latest complete step) or an index name.
 * The store is opened on first use, so commands given only files never touch it.
 */
public final class RegisteredSpaceSource implements SpaceSource {

  private final Supplier<SpaceStore> opener;
  private SpaceStore store;

  public RegisteredSpaceSource(SpaceStore store) {
    this.opener = () -> store;
  }

  public RegisteredSpaceSource(Supplier<SpaceStore> opener) {
    this.opener = opener;
  }

  /** The default store of the CLI: OpenSearch when {@code opensearchUrl} is set, else the embedded store under dataDir (null: default). */
  public static RegisteredSpaceSource of(String opensearchUrl, java.nio.file.Path dataDir) {
    return new RegisteredSpaceSource(() -> SpaceStores.open(opensearchUrl, dataDir));
  }

  private synchronized SpaceStore store() {
    if (store == null) store = opener.get();
    return store;
  }

  @Override
  public Optional<Space> resolve(String argument) {
    SpaceStore s = store();
    return s.find(argument).map(i -> s.loadSpace(i.name()));
  }

  @Override
  public String describe() {
    return "a registered space (experiment/space@step, experiment/space for its latest step, or an index name)";
  }
}
