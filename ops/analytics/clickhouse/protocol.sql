-- The SMTP protocol log from mail.protocol.v1 into ClickHouse, Exchange's protocol-log fields
-- (date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context), and
-- mailflow's direction (Receive: a session an edge accepted, the RECV log; Send: one delivery opened, the SEND log).
-- Needs protocolEventFormat Json (the default) or Both (then read mail.protocol.json.v1 instead).
-- The Kafka table's columns are the JSON keys exactly (ops/cli AnalyticsConfigTest checks it).

CREATE DATABASE IF NOT EXISTS mailflow;

CREATE TABLE mailflow.protocol_queue
(
    `date-time`       String,
    `connector-id`    String,
    `session-id`      String,
    `sequence-number` Int64,
    `local-endpoint`  String,
    `remote-endpoint` String,
    `event`           String,
    `data`            Nullable(String),
    `context`         Nullable(String),
    `direction`       String
)
ENGINE = Kafka
SETTINGS kafka_broker_list = '127.0.0.1:19092',
         kafka_topic_list = 'mail.protocol.v1',
         kafka_group_name = 'clickhouse-mailflow-protocol',
         kafka_format = 'JSONEachRow',
         kafka_num_consumers = 1,
         input_format_skip_unknown_fields = 1;

CREATE TABLE mailflow.protocol_log
(
    `date-time`       DateTime64(3, 'UTC'),
    `connector-id`    LowCardinality(String),
    `session-id`      String,
    `sequence-number` Int64,
    `local-endpoint`  String,
    `remote-endpoint` String,
    `event`           LowCardinality(String),
    `data`            Nullable(String),
    `context`         Nullable(String),
    `direction`       LowCardinality(String)
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(`date-time`)
ORDER BY (`session-id`, `sequence-number`)
-- Exchange's ReceiveProtocolLogMaxAge and SendProtocolLogMaxAge, 30 days
TTL toDateTime(`date-time`) + INTERVAL 30 DAY;

CREATE MATERIALIZED VIEW mailflow.protocol_mv TO mailflow.protocol_log AS
SELECT
    parseDateTime64BestEffort(`date-time`, 3, 'UTC') AS `date-time`,
    `connector-id`, `session-id`, `sequence-number`, `local-endpoint`, `remote-endpoint`, `event`, `data`, `context`,
    `direction`
FROM mailflow.protocol_queue;

-- Sessions from one client, as Exchange's protocol-log parsing scripts do:
-- SELECT `session-id`, min(`date-time`), groupArray(`data`) FROM mailflow.protocol_log
-- WHERE `remote-endpoint` LIKE '192.0.2.10:%' GROUP BY `session-id`;
