# virtsup's choice of JVM and of the options that depend on its JDK release.
# Sourced (POSIX sh) by /usr/bin/virtsup, by the source checkout's ./virtsup
# and by postinst, so that the three agree on which java runs virtsup and
# which class-data archive fits it. Installed as /usr/share/virtsup/jvm.sh.
#
# A JDK's feature release is read from its "release" file (JAVA_VERSION=),
# not by starting a JVM: health probes run the launcher every few seconds.

# virtsup_jdk JAVA: sets jdk_home, jdk_feature (17, 21, 25...; 0 when
# unknown: no release file beside JAVA's bin/) and jdk_build
# (JAVA_RUNTIME_VERSION, which names one build of one JDK).
virtsup_jdk() {
  jdk_home= jdk_feature=0 jdk_build=
  _virtsup_java=$(command -v "$1" 2>/dev/null) || return 0
  _virtsup_java=$(readlink -f "$_virtsup_java" 2>/dev/null) || return 0
  case $_virtsup_java in */bin/java) ;; *) return 0 ;; esac
  jdk_home=${_virtsup_java%/bin/java}
  [ -r "$jdk_home/release" ] || return 0
  while IFS= read -r _virtsup_line; do
    case $_virtsup_line in
      JAVA_VERSION=*)
        _virtsup_line=${_virtsup_line#JAVA_VERSION=\"}
        _virtsup_line=${_virtsup_line%%[!0-9]*}
        jdk_feature=${_virtsup_line:-0} ;;
      JAVA_RUNTIME_VERSION=*)
        _virtsup_line=${_virtsup_line#JAVA_RUNTIME_VERSION=\"}
        jdk_build=${_virtsup_line%\"} ;;
    esac
  done < "$jdk_home/release"
}

# virtsup_pick_java: sets virtsup_java to the java that runs virtsup (and
# virtsup_jdk's variables for it): $VIRTSUP_JAVA when set; else the "java" on
# PATH when it is a JDK 17 or later; else Debian's first OpenJDK 17 or later
# under /usr/lib/jvm (Debian's alternatives may point "java" at an older one);
# else "java", whatever it is.
virtsup_pick_java() {
  if [ -n "${VIRTSUP_JAVA:-}" ]; then
    virtsup_java=$VIRTSUP_JAVA
    virtsup_jdk "$virtsup_java"
    return 0
  fi
  virtsup_java=java
  virtsup_jdk java
  [ "$jdk_feature" -ge 17 ] && return 0
  for _virtsup_candidate in /usr/lib/jvm/java-*-openjdk-*/bin/java; do
    [ -x "$_virtsup_candidate" ] || continue
    virtsup_jdk "$_virtsup_candidate"
    if [ "$jdk_feature" -ge 17 ]; then
      virtsup_java=$_virtsup_candidate
      return 0
    fi
  done
  virtsup_jdk java
}

# virtsup_native_options: the options every JVM of virtsup gets, whatever
# VIRTSUP_JAVA_OPTS says, each only on the releases that know it (an unknown
# option stops the JVM). virtsup binds libc through jffi, which loads its stub
# with System::load and may read memory through sun.misc.Unsafe: JDK 24 and
# later warn on both unless told (and will refuse the first), so native
# access is granted to the class path (the unnamed module) explicitly, from
# JDK 17 on, where the option exists; Unsafe's memory access is allowed from
# JDK 23 on, where --sun-misc-unsafe-memory-access exists. Unknown release
# (no release file): neither.
virtsup_native_options() {
  virtsup_native=
  if [ "$jdk_feature" -ge 17 ]; then
    virtsup_native=--enable-native-access=ALL-UNNAMED
  fi
  if [ "$jdk_feature" -ge 23 ]; then
    virtsup_native="$virtsup_native --sun-misc-unsafe-memory-access=allow"
  fi
}

# virtsup_cds_archive DIRECTORY: sets virtsup_archive to the class-data
# archive for this JDK build in DIRECTORY. An archive fits exactly one JDK
# build: its name carries the JDK's directory and build, so another java
# (another VIRTSUP_JAVA, an updated JDK, "java" switched to another release)
# finds no archive rather than one made for another JDK, which it would
# refuse with [warning][cds] lines on every command. Empty when the build is
# unknown.
virtsup_cds_archive() {
  virtsup_archive=
  if [ -n "$jdk_home" ] && [ -n "$jdk_build" ]; then
    virtsup_archive="$1/virtsup-client-${jdk_home##*/}-$jdk_build.jsa"
  fi
}
