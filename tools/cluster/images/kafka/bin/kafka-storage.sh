#!/bin/sh
# kafka-storage.sh format|info|random-uuid ...: formats KRaft log directories.
: "${KAFKA_LOG4J_OPTS:=-Dlog4j2.configurationFile=/opt/kafka/config/tools-log4j2.properties}"
export KAFKA_LOG4J_OPTS
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.StorageTool "$@"
