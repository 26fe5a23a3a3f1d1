#!/bin/sh
# kafka-broker-api-versions.sh --bootstrap-server ...: the API versions every broker serves.
: "${KAFKA_LOG4J_OPTS:=-Dlog4j2.configurationFile=/opt/kafka/config/tools-log4j2.properties}"
export KAFKA_LOG4J_OPTS
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.BrokerApiVersionsCommand "$@"
