#!/bin/sh
# kafka-topics.sh --bootstrap-server ... --list|--create|--describe ...
: "${KAFKA_LOG4J_OPTS:=-Dlog4j2.configurationFile=/opt/kafka/config/tools-log4j2.properties}"
export KAFKA_LOG4J_OPTS
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.TopicCommand "$@"
