package io.vectory.core.space;

import java.io.IOException;
import java.util.Optional;

/**
 * Resolves a command-line argument to a space: a .npy/.npz path today; a registered space name once the
 * sink can serve them. Sources are tried in order; the first that recognises the argument wins.
 */
public interface SpaceSource {
  /** The space named by {@code argument}, or empty when this source does not recognise it. */
  Optional<Space> resolve(String argument) throws IOException;

  /** What this source accepts, for the error when no source recognises an argument. */
  String describe();
}
