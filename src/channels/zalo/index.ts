export { ZaloClient, ZaloApiError, ZaloNetworkError, ZALO_MAX_TEXT, redactToken, type ZaloUpdate, type ZaloMessage, type ZaloBotInfo, type ZaloClientOptions } from "./client.js";
export { ZaloChannel, ZALO_TEXT_EVENT, updateKey, type ZaloChannelOptions, type ZaloHost } from "./channel.js";
export { startZaloPolling, startZaloWebhook, checkZaloBot, ZaloTokenRejectedError, ZaloApiUnreachableError, type ZaloReceiver, type ZaloPollingOptions, type ZaloWebhookOptions } from "./run.js";
export { startZalo, type StartZaloOptions, type RunningZalo } from "./start.js";
