export { loadConfig, loadConfigFromEnvironment, readEnvironment, ConfigError, type ConfigProblem, type Environment, type ReadEnvironmentOptions } from "./load.js";
export { envSchema, ENV_VARIABLES, DEFAULT_DATABASE_URL, DEFAULT_ZALO_API_ROOT, SUPPORTED_LANGUAGES, LOG_LEVELS, type Config, type ZaloConfig, type Language, type LogLevel } from "./schema.js";
export { Secret, redactUrlPassword } from "./secret.js";
