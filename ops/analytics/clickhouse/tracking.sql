-- Message tracking from mail.tracking.v1 into ClickHouse, as Exchange's Get-MessageTrackingLog fields.
-- Needs trackingEventFormat Json (the default) or Both (then read mail.tracking.json.v1 instead).
-- The Kafka table's columns are the JSON keys exactly (EventJson; ops/cli AnalyticsConfigTest checks it); every key
-- is in every record, null when empty. date-time is ISO-8601 UTC with milliseconds ("2026-12-07T20:51:08.123Z"),
-- read as a string and parsed in the view; queue (a delivery queue's state, on QUEUESTATE events) is an object,
-- read as a string and taken apart with JSONExtract.

CREATE DATABASE IF NOT EXISTS mailflow;

CREATE TABLE mailflow.tracking_queue
(
    `date-time`                 String,
    `client-ip`                 Nullable(String),
    `client-hostname`           Nullable(String),
    `server-ip`                 Nullable(String),
    `server-hostname`           Nullable(String),
    `source-context`            Nullable(String),
    `connector-id`              Nullable(String),
    `source`                    String,
    `event-id`                  String,
    `internal-message-id`       Nullable(String),
    `message-id`                Nullable(String),
    `network-message-id`        String,
    `recipient-address`         Array(String),
    `recipient-status`          Array(String),
    `total-bytes`               Int64,
    `recipient-count`           Int32,
    `related-recipient-address` Nullable(String),
    `reference`                 Nullable(String),
    `message-subject`           Nullable(String),
    `sender-address`            Nullable(String),
    `return-path`               Nullable(String),
    `message-info`              Nullable(String),
    `directionality`            Nullable(String),
    `queue`                     Nullable(String)
)
ENGINE = Kafka
SETTINGS kafka_broker_list = '127.0.0.1:19092',
         kafka_topic_list = 'mail.tracking.v1',
         kafka_group_name = 'clickhouse-mailflow-tracking',
         kafka_format = 'JSONEachRow',
         kafka_num_consumers = 1,
         -- a newer mailflow may add keys: skip them rather than stop
         input_format_skip_unknown_fields = 1,
         -- the queue object into the String column above
         input_format_json_read_objects_as_strings = 1;

CREATE TABLE mailflow.message_tracking
(
    `date-time`                 DateTime64(3, 'UTC'),
    `client-ip`                 Nullable(String),
    `client-hostname`           Nullable(String),
    `server-ip`                 Nullable(String),
    `server-hostname`           LowCardinality(Nullable(String)),
    `source-context`            Nullable(String),
    `connector-id`              LowCardinality(Nullable(String)),
    `source`                    LowCardinality(String),
    `event-id`                  LowCardinality(String),
    `internal-message-id`       Nullable(String),
    `message-id`                Nullable(String),
    `network-message-id`        String,
    `recipient-address`         Array(String),
    `recipient-status`          Array(String),
    `total-bytes`               Int64,
    `recipient-count`           Int32,
    `related-recipient-address` Nullable(String),
    `reference`                 Nullable(String),
    `message-subject`           Nullable(String),
    `sender-address`            Nullable(String),
    `return-path`               Nullable(String),
    `message-info`              Nullable(String),
    `directionality`            LowCardinality(Nullable(String)),
    `queue-identity`            Nullable(String),
    `queue-delivery-type`       LowCardinality(Nullable(String)),
    `queue-next-hop-domain`     Nullable(String),
    `queue-status`              LowCardinality(Nullable(String)),
    `queue-message-count`       Nullable(Int32),
    `queue-last-error`          Nullable(String),
    `queue-next-retry-time`     Nullable(DateTime64(3, 'UTC'))
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(`date-time`)
ORDER BY (`network-message-id`, `date-time`)
-- Exchange's MessageTrackingLogMaxAge, 30 days
TTL toDateTime(`date-time`) + INTERVAL 30 DAY;

CREATE MATERIALIZED VIEW mailflow.tracking_mv TO mailflow.message_tracking AS
SELECT
    parseDateTime64BestEffort(`date-time`, 3, 'UTC')           AS `date-time`,
    `client-ip`, `client-hostname`, `server-ip`, `server-hostname`, `source-context`, `connector-id`,
    `source`, `event-id`, `internal-message-id`, `message-id`, `network-message-id`,
    `recipient-address`, `recipient-status`, `total-bytes`, `recipient-count`, `related-recipient-address`,
    `reference`, `message-subject`, `sender-address`, `return-path`, `message-info`, `directionality`,
    if(`queue` IS NULL, NULL, JSONExtractString(`queue`, 'identity'))                  AS `queue-identity`,
    if(`queue` IS NULL, NULL, JSONExtract(`queue`, 'delivery-type', 'Nullable(String)'))   AS `queue-delivery-type`,
    if(`queue` IS NULL, NULL, JSONExtract(`queue`, 'next-hop-domain', 'Nullable(String)')) AS `queue-next-hop-domain`,
    if(`queue` IS NULL, NULL, JSONExtractString(`queue`, 'status'))                    AS `queue-status`,
    if(`queue` IS NULL, NULL, JSONExtractInt(`queue`, 'message-count'))                AS `queue-message-count`,
    if(`queue` IS NULL, NULL, JSONExtract(`queue`, 'last-error', 'Nullable(String)'))  AS `queue-last-error`,
    parseDateTime64BestEffortOrNull(JSONExtract(`queue`, 'next-retry-time', 'Nullable(String)'), 3, 'UTC')
                                                                                       AS `queue-next-retry-time`
FROM mailflow.tracking_queue;

-- Get-MessageTrackingLog -Sender carol@example.com -EventId DELIVER, at cluster scale:
-- SELECT `date-time`, `recipient-address`, `message-subject` FROM mailflow.message_tracking
-- WHERE `sender-address` = 'carol@example.com' AND `event-id` = 'DELIVER' ORDER BY `date-time`;
