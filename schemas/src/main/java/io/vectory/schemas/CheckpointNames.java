package io.vectory.schemas;

import io.vectory.avro.CheckpointKey;

/**
 * The string form of a checkpoint, {@code experiment/space@step}: the one spelling used in messages,
 * dead letters, store keys for display, and the hash behind index names; and the one rule for what a name of an
 * experiment, space, dataset or index may be ({@link #requireValid}), checked wherever a name enters.
 */
public final class CheckpointNames {
  private CheckpointNames() {}

  public static String of(String experiment, String space, long step) {
    return experiment + "/" + space + "@" + step;
  }

  public static String of(CheckpointKey k) {
    return of(k.getExperiment(), k.getSpace(), k.getStep());
  }

  /**
   * The key {@link #of} spelled, or null when {@code name} is not of the form {@code experiment/space@step}
   * (valid names hold neither '/' nor '@', so the parts are unambiguous).
   */
  public static CheckpointKey parse(String name) {
    if (name == null) return null;
    int slash = name.indexOf('/'), at = name.lastIndexOf('@');
    if (slash <= 0 || at <= slash + 1 || at == name.length() - 1 || name.indexOf('/', slash + 1) >= 0 || name.indexOf('@') != at) return null;
    try {
      return new CheckpointKey(name.substring(0, slash), name.substring(slash + 1, at), Long.parseLong(name.substring(at + 1)));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The longest name accepted, in code points: long enough for any run id, short enough for index names and terminals. */
  public static final int MAX_NAME_LENGTH = 200;

  /**
   * Returns {@code name} when it is a valid name for {@code what} ("experiment", "space", "dataset", ...), else
   * throws IllegalArgumentException saying why. Valid: 1 to {@value #MAX_NAME_LENGTH} code points of printable
   * Unicode (letters of any script, digits, punctuation, spaces inside), no control or format characters (NUL,
   * newlines, ANSI escapes, bidi overrides), no leading or trailing white space, not "." or "..", and none of
   * {@code / @ \} (they separate or escape the parts of {@code experiment/space@step} and of paths).
   */
  public static String requireValid(String what, String name) {
    requirePrintable(what, name);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == '@' || c == '\\') {
        throw new IllegalArgumentException(what + " name '" + printable(name) + "' holds '" + c
            + "' (it separates experiment/space@step); use letters, digits and - _ . instead");
      }
    }
    return name;
  }

  /**
   * The rule for free-text labels such as dataset and model names (which may hold '/', as in
   * {@code sentence-transformers/all-MiniLM-L6-v2}): {@link #requireValid}'s rules but the separators.
   */
  public static String requirePrintable(String what, String name) {
    if (name == null || name.isEmpty()) throw new IllegalArgumentException(what + " name is empty");
    int length = name.codePointCount(0, name.length());
    if (length > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(what + " name is " + length + " characters long; at most " + MAX_NAME_LENGTH + " are allowed: '"
          + printable(name.substring(0, name.offsetByCodePoints(0, 40))) + "…'");
    }
    if (!name.strip().equals(name)) throw new IllegalArgumentException(what + " name '" + printable(name) + "' starts or ends with white space");
    if (name.equals(".") || name.equals("..")) throw new IllegalArgumentException(what + " name '" + name + "' is not allowed");
    for (int i = 0; i < name.length(); ) {
      int c = name.codePointAt(i);
      if (nonPrintable(c)) {
        throw new IllegalArgumentException(what + " name '" + printable(name) + "' holds the non-printable character U+"
            + String.format("%04X", c) + " at position " + name.codePointCount(0, i));
      }
      i += Character.charCount(c);
    }
    return name;
  }

  /** The name with every non-printable character shown as \\uXXXX, safe to print on a terminal. */
  public static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(c -> {
      if (nonPrintable(c)) {
        b.append(String.format("\\u%04X", c));
      } else {
        b.appendCodePoint(c);
      }
    });
    return b.toString();
  }

  private static boolean nonPrintable(int c) {
    int t = Character.getType(c);
    return t == Character.CONTROL || t == Character.FORMAT || t == Character.LINE_SEPARATOR || t == Character.PARAGRAPH_SEPARATOR
        || t == Character.UNASSIGNED || t == Character.SURROGATE || t == Character.PRIVATE_USE;
  }
}
