# Sourced by every script that runs Java: finds a JDK >= 21 and exports JAVA_HOME and JAVA.
# Order: $JAVA_HOME, then the Temurin 25 JDK, then any JDK >= 21 under /usr/lib/jvm.
# The JDK's version: its release file (free), else asking the JVM (about 40 ms a call, paid on every ./vectory run).
_vectory_java_major() {
  local v=""
  [ -f "$1/release" ] && v="$(sed -n 's/^JAVA_VERSION="\([^"]*\)"$/\1/p' "$1/release" | head -1)"
  [ -n "$v" ] || v="$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1)"
  echo "$v"
}
_vectory_find_jdk() {
  local c
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    local v; v="$(_vectory_java_major "$c")"
    if [ -n "$v" ] && [ "${v%%.*}" -ge 21 ] 2>/dev/null; then echo "$c"; return 0; fi
  done
  return 1
}
if ! VECTORY_JDK="$(_vectory_find_jdk)"; then
  echo "vectory: needs a JDK 21 or newer (25 recommended). Install Temurin 25 (e.g. apt-get install temurin-25-jdk" >&2
  echo "         from the Adoptium repository) or point JAVA_HOME at a JDK >= 21. Found: JAVA_HOME='${JAVA_HOME:-}'." >&2
  exit 1
fi
export JAVA_HOME="$VECTORY_JDK"
export JAVA="$JAVA_HOME/bin/java"
export PATH="$JAVA_HOME/bin:$PATH"
