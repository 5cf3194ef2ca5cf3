#!/usr/bin/env bash
# Installs Paimon Java (the reference implementation) for the Java compatibility suite
# (tests/compat/java.rs) unless it is already there, and exports STRATA_PAIMON_JARS. Source it.
#
# No Maven repository is reachable, so the jars come from PyPI sdists (checked against pinned
# sha256 digests) and the JDK from Debian:
#   - Apache Paimon 0.9.0, shaded with its Parquet, ORC and Avro formats: the sdist of
#     pypaimon 0.2.0 holds deps/jars/paimon-python-java-bridge-0.9.0.jar (39 MB download);
#   - Hadoop's client classes: the sdist of pyspark 4.0.1 (434 MB download, about 10 s here)
#     holds hadoop-client-api/-runtime 3.4.1 and jcl-over-slf4j; only those are kept.
# They land in $STRATA_INFRA/paimon-java (default ~/.cache/strata-infra/paimon-java).
INFRA="${STRATA_INFRA:-$HOME/.cache/strata-infra}"
export STRATA_PAIMON_JARS="${STRATA_PAIMON_JARS:-$INFRA/paimon-java}"

if ! command -v javac >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=(); else SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq openjdk-17-jdk-headless >/dev/null
fi

# Downloads the sdist of $1==$2 through pip (PyPI's simple index; its JSON API is not
# reachable here), checks it against the sha256 $3, and extracts the members $4... (paths
# inside the tarball) into $STRATA_PAIMON_JARS.
paimon_java_fetch() {
  local name="$1" version="$2" sha="$3" tmp
  shift 3
  tmp="$(mktemp -d)"
  python3 -m pip download -q --no-deps --no-binary :all: -d "$tmp" "$name==$version"
  echo "$sha  $tmp/$name-$version.tar.gz" | sha256sum -c --quiet
  tar -xzf "$tmp/$name-$version.tar.gz" -C "$tmp" "$@"
  for member in "$@"; do
    mv "$tmp/$member" "$STRATA_PAIMON_JARS/"
  done
  rm -rf "$tmp"
}

mkdir -p "$STRATA_PAIMON_JARS"
if [ ! -f "$STRATA_PAIMON_JARS/paimon-python-java-bridge-0.9.0.jar" ]; then
  paimon_java_fetch pypaimon 0.2.0 43ac684779841da17528b5f241ede6149bcdab4d16f3cd80f713262f6ed04720 \
    pypaimon-0.2.0/deps/jars/paimon-python-java-bridge-0.9.0.jar
fi
if [ ! -f "$STRATA_PAIMON_JARS/hadoop-client-api-3.4.1.jar" ] \
  || [ ! -f "$STRATA_PAIMON_JARS/hadoop-client-runtime-3.4.1.jar" ] \
  || [ ! -f "$STRATA_PAIMON_JARS/jcl-over-slf4j-2.0.16.jar" ]; then
  paimon_java_fetch pyspark 4.0.1 9d1f22d994f60369228397e3479003ffe2dd736ba79165003246ff7bd48e2c73 \
    pyspark-4.0.1/deps/jars/hadoop-client-api-3.4.1.jar \
    pyspark-4.0.1/deps/jars/hadoop-client-runtime-3.4.1.jar \
    pyspark-4.0.1/deps/jars/jcl-over-slf4j-2.0.16.jar
fi
