# Shared by the bench scripts: builds the jars if missing and defines the JVM flags and helpers.
# The drivers (dev.distillery.bench) live in the benchmarks module, outside the application jar: the class path is
# that module's classes, then the CLI jar and its libraries (Spark included) as bin/distillery uses them.
[[ -f "$HOME_DIR/jobs/target/distillery.jar" && -f "$HOME_DIR/benchmarks/target/classes/dev/distillery/bench/GemmCeiling.class" ]] \
  || (cd "$HOME_DIR" && mvn -B -q -DskipTests package)
CP="$HOME_DIR/benchmarks/target/classes:$HOME_DIR/jobs/target/distillery.jar:$HOME_DIR/jobs/target/lib/*"
OPENS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
--add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED \
--add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED"
NATIVE="-XX:MaxNewSize=128m -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -Dorg.bytedeco.javacpp.maxBytes=0"
export SPARK_LOCAL_IP=127.0.0.1
# the C allocator settings bin/distillery gives the engine (NativeAllocator)
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-33554432}" MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-4294967296}" \
  MALLOC_TOP_PAD_="${MALLOC_TOP_PAD_:-268435456}"
median() { sort -n | awk '{a[NR]=$1} END {if (NR) print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
