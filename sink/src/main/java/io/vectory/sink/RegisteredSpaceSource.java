package io.vectory.sink;

import io.vectory.core.space.Space;
import io.vectory.core.space.SpaceSource;
import java.util.Optional;

/**
 * Lets {@code vectory compare} (and anything taking a space argument) name a registered space:
 * {@code experiment/space@step}, {@code experiment/space} (latest complete step) or an index name.
 */
public final class RegisteredSpaceSource implements SpaceSource {

  private final SpaceStore store;

  public RegisteredSpaceSource(SpaceStore store) {
    this.store = store;
  }

  @Override
  public Optional<Space> resolve(String argument) {
    return store.find(argument).map(i -> store.loadSpace(i.name()));
  }

  @Override
  public String describe() {
    return "a registered space (experiment/space@step, experiment/space for its latest step, or an index name) in " + store.location();
  }
}
