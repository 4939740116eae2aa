/**
 * The container path, for users with a Docker engine: Kafka, Apicurio Registry and Redis through
 * testcontainers, on the same loopback ports as deploy/local so every other default holds.
 * Containers stop when the process exits (testcontainers' reaper).
 */
import { GenericContainer, Wait } from "testcontainers";
import { LOCAL_DEFAULTS, type ServiceAddresses } from "./services.js";

export const IMAGES = {
  kafka: "apache/kafka:4.1.1",
  registry: "apicurio/apicurio-registry:3.3.3",
  redis: "redis:7.4",
} as const;

export async function startContainers(): Promise<ServiceAddresses> {
  await Promise.all([
    new GenericContainer(IMAGES.redis)
      .withExposedPorts({ container: 6379, host: 16379 })
      .withWaitStrategy(Wait.forLogMessage("Ready to accept connections"))
      .start(),
    new GenericContainer(IMAGES.kafka)
      .withExposedPorts({ container: 19092, host: 19092 })
      .withEnvironment({
        KAFKA_NODE_ID: "1",
        KAFKA_PROCESS_ROLES: "broker,controller",
        KAFKA_LISTENERS: "PLAINTEXT://0.0.0.0:19092,CONTROLLER://0.0.0.0:19093",
        KAFKA_ADVERTISED_LISTENERS: "PLAINTEXT://127.0.0.1:19092",
        KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        KAFKA_CONTROLLER_QUORUM_VOTERS: "1@localhost:19093",
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1",
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
        KAFKA_NUM_PARTITIONS: "3",
      })
      .withWaitStrategy(Wait.forLogMessage("Kafka Server started"))
      .start(),
    new GenericContainer(IMAGES.registry)
      .withExposedPorts({ container: 8080, host: 18081 })
      .withWaitStrategy(Wait.forHttp("/apis/ccompat/v7/subjects", 8080))
      .start(),
  ]);
  return {
    kafkaBrokers: [LOCAL_DEFAULTS.kafka],
    registryUrl: LOCAL_DEFAULTS.registry,
    redisUrl: LOCAL_DEFAULTS.redis,
    redisClusterNodes: [],
    source: "containers",
  };
}
