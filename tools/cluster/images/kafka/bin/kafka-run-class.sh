#!/bin/sh
# `kafka-run-class.sh <main class> [args]` of the local-cluster Kafka image: java on the jars of
# /opt/kafka/libs (resolved from Maven Central), honouring the environment of Apache Kafka's own
# scripts: KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_LOG4J_OPTS, KAFKA_OPTS, LOG_DIR.
set -eu
base=/opt/kafka
: "${KAFKA_HEAP_OPTS:=-Xmx256M}"
: "${KAFKA_JVM_PERFORMANCE_OPTS:=-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}"
: "${KAFKA_LOG4J_OPTS:=-Dlog4j2.configurationFile=$base/config/log4j2.properties}"
: "${LOG_DIR:=/tmp/kafka-logs}"
mkdir -p "$LOG_DIR" 2>/dev/null || true
# shellcheck disable=SC2086 # the *_OPTS variables are lists of JVM options
exec java $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $KAFKA_LOG4J_OPTS "-Dkafka.logs.dir=$LOG_DIR" \
  ${KAFKA_OPTS:-} -cp "$base/libs/*" "$@"
