export { formatDuration, parseDuration } from './durations.js';
export { ConfigError, type ConfigIssue, didYouMean } from './errors.js';
export { CONFIG_SCHEMA_FILE, configJsonSchema } from './json-schema.js';
export { type ForTier, type Profile, type ProfileName, profileNames, profiles } from './profiles.js';
export {
  type Baseline,
  defaultBurnRates,
  defaultRunbookBaseUrl,
  defaultSlos,
  isResolved,
  type ResolvedBurnRate,
  type ResolvedConfig,
  type ResolvedSlo,
  resolveConfig,
} from './resolve.js';
export {
  type AlertmanagerOptions,
  type AlertSettings,
  type BurnRateWindow,
  configSchema,
  type DashboardSettings,
  type EventscopeConfig,
  type ReceiverConfig,
  type RouteConfig,
  type ScrapeSettings,
  type ServiceConfig,
  type Severity,
  type SloConfig,
  type SloKind,
  severities,
} from './schema.js';
export { isSelectorValue, quote, selectorEquality, selectorMatcher } from './selectors.js';
export {
  alertThresholdOf,
  defaultThresholds,
  type PanelQuantity,
  panelQuantities,
  panelSteps,
  renderThresholdTable,
  THRESHOLDS_BEGIN,
  THRESHOLDS_END,
  type ThresholdStep,
  type Thresholds,
  type ThresholdUnit,
  thresholdUnits,
} from './thresholds.js';
