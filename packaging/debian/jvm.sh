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
  case $1 in
    */*) _virtsup_java=$1 ;;
    *) _virtsup_on_path "$1" ;;
  esac
  [ -n "$_virtsup_java" ] || return 0
  _virtsup_real_java "$_virtsup_java" || return 0
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

# Without a process of their own (a command substitution, readlink): health
# probes start this launcher every few seconds, and each process costs one.
# _virtsup_on_path NAME: sets _virtsup_java to the first executable NAME on
# PATH, as "command -v" finds it; empty when there is none.
_virtsup_on_path() {
  _virtsup_java=
  case $- in *f*) _virtsup_noglob=1 ;; *) _virtsup_noglob= ; set -f ;; esac
  _virtsup_ifs=$IFS
  IFS=:
  for _virtsup_dir in $PATH; do
    if [ -f "${_virtsup_dir:-.}/$1" ] && [ -x "${_virtsup_dir:-.}/$1" ]; then
      _virtsup_java=${_virtsup_dir:-.}/$1
      break
    fi
  done
  IFS=$_virtsup_ifs
  [ -n "$_virtsup_noglob" ] || set +f
}

# _virtsup_real_java JAVA: sets _virtsup_java to JAVA with every symbolic
# link resolved, as "readlink -f" gives it: the JDK under /usr/lib/jvm that
# JAVA is (Debian's alternatives link /usr/bin/java there) is found by
# comparing files; only another java costs a readlink.
_virtsup_real_java() {
  for _virtsup_home in /usr/lib/jvm/*; do
    if [ ! -L "$_virtsup_home" ] && [ ! -L "$_virtsup_home/bin" ] && [ ! -L "$_virtsup_home/bin/java" ] \
        && [ "$1" -ef "$_virtsup_home/bin/java" ]; then
      _virtsup_java=$_virtsup_home/bin/java
      return 0
    fi
  done
  _virtsup_java=$(readlink -f "$1" 2>/dev/null)
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

# virtsup_control_command WORD: whether WORD is a command that only talks to
# a running virtsup through its control socket (the words of
# org.virtsup.control.Verb; LauncherTest keeps the two lists equal). Health
# probes run these every few seconds: they load nothing native and start from
# an archive of their own.
virtsup_control_command() {
  case ${1:-} in
    status|start|stop|restart|reload|signal|log|reexec) return 0 ;;
  esac
  return 1
}

# virtsup_archives DIRECTORY: sets the archives in DIRECTORY made for this JDK
# build (postinst makes them, virtsup_make_archives below):
#   virtsup_client_archive  what the control commands start from: from JDK 25
#     on an AOT cache (.aot: classes loaded and linked, call sites resolved),
#     made in one training run (-XX:AOTCacheOutput); before, a class-data
#     archive (.jsa);
#   virtsup_run_archive  a class-data archive (.jsa) of run's classes and the
#     client's, which every other command starts from.
# An archive fits exactly one JDK build: its name carries the JDK's directory
# and build, so another java (another VIRTSUP_JAVA, an updated JDK, "java"
# switched to another release) finds none rather than one made for another
# JDK, which it would refuse with warnings on every command. Both empty when
# the build is unknown.
virtsup_archives() {
  virtsup_client_archive= virtsup_run_archive=
  if [ -n "$jdk_home" ] && [ -n "$jdk_build" ]; then
    virtsup_run_archive="$1/virtsup-run-${jdk_home##*/}-$jdk_build.jsa"
    if [ "$jdk_feature" -ge 25 ]; then
      virtsup_client_archive="$1/virtsup-client-${jdk_home##*/}-$jdk_build.aot"
    else
      virtsup_client_archive="$1/virtsup-client-${jdk_home##*/}-$jdk_build.jsa"
    fi
  fi
}

# virtsup_share ARCHIVE: sets virtsup_share to the JVM options that start
# from ARCHIVE: -XX:AOTCache for an AOT cache (.aot), which the JVM refuses
# beside any -Xshare option; else -Xshare:auto, with -XX:SharedArchiveFile
# when ARCHIVE is a readable file.
virtsup_share() {
  if [ -n "$1" ] && [ -r "$1" ]; then
    case $1 in
      *.aot) virtsup_share="-XX:AOTCache=$1" ;;
      *) virtsup_share="-Xshare:auto -XX:SharedArchiveFile=$1" ;;
    esac
  else
    virtsup_share=-Xshare:auto
  fi
}

# Where the package installs jffi's native stub, taken out of its jar at
# build time: the commands that bind libc load it from there
# (-Djffi.boot.library.path) rather than copying it into /tmp at each start.
virtsup_stub_directory=/usr/lib/virtsup

# The JVM options of the short-lived commands, and those the training runs
# that make the archives use: an archive fits the options it was made with.
# virtsup_native_options adds the native-access options to all but the
# control commands, which need none: on JDK 17 they would also switch off the
# JDK's optimised module handling, on 25 its archived module graph.
VIRTSUP_QUICK_OPTIONS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData"

# virtsup_make_archives DIRECTORY: makes virtsup_archives' two archives for
# the java virtsup_pick_java chose, by org.virtsup.cli.ClientTraining against
# a server of its own (no running virtsup needed), and removes every other
# archive in DIRECTORY. Best effort: without them virtsup only starts slower;
# says so on stderr.
virtsup_make_archives() {
  virtsup_archives "$1"
  rm -f "$1"/*.jsa "$1"/*.jsa.new "$1"/*.aot "$1"/*.aot.new "$1"/*.aot.new.config
  if [ -z "$virtsup_run_archive" ]; then
    echo "virtsup: $virtsup_java is no JDK with a release file: no class-data archive (virtsup only starts slower)" >&2
    return 0
  fi
  if ! mkdir -p "$1" 2>/dev/null; then
    echo "virtsup: cannot create $1: no class-data archive (virtsup only starts slower)" >&2
    return 0
  fi
  virtsup_native_options
  # shellcheck disable=SC2086
  _virtsup_train "$virtsup_run_archive" -XX:ArchiveClassesAtExit all $virtsup_native -Xshare:auto
  case $virtsup_client_archive in
    *.aot) _virtsup_train "$virtsup_client_archive" -XX:AOTCacheOutput client ;;
    *) _virtsup_train "$virtsup_client_archive" -XX:ArchiveClassesAtExit client -Xshare:auto ;;
  esac
}

# _virtsup_train ARCHIVE OPTION MODE [JVM OPTIONS...]: one training run
# (ClientTraining MODE: "client" for the control commands' classes alone,
# "all" for run's too) that writes ARCHIVE through OPTION=ARCHIVE.new, moved
# in place once whole.
_virtsup_train() {
  _virtsup_archive=$1 _virtsup_option=$2 _virtsup_mode=$3
  shift 3
  # shellcheck disable=SC2086
  if "$virtsup_java" "$@" $VIRTSUP_QUICK_OPTIONS -Xlog:disable -Xlog:all=warning:stderr \
       "$_virtsup_option=$_virtsup_archive.new" \
       -cp '/usr/share/virtsup/virtsup.jar:/usr/share/virtsup/lib/*' org.virtsup.cli.ClientTraining "$_virtsup_mode" \
       >/dev/null 2>&1 && [ -s "$_virtsup_archive.new" ]; then
    mv -f "$_virtsup_archive.new" "$_virtsup_archive"
  else
    rm -f "$_virtsup_archive.new" "$_virtsup_archive.new.config"
    echo "virtsup: no class-data archive $_virtsup_archive (virtsup only starts slower)" >&2
  fi
}
