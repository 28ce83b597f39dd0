import type { Command } from "commander";
import { registerQuestionnaireCommands } from "./commands/questionnaire.js";
import { registerScoreCommand } from "./commands/score.js";
import { registerPreviewCommand } from "./commands/preview.js";
import { registerStartCommand } from "./commands/start.js";
import { registerCodesCommands } from "./commands/codes.js";
import { registerDbCommands } from "./commands/db.js";
import { registerCampaignCommands } from "./commands/campaign.js";
import { registerFlagsCommands } from "./commands/flags.js";
import { registerOutboxCommands } from "./commands/outbox.js";
import { registerBroadcastCommands } from "./commands/broadcast.js";
import { registerRespondentsCommands } from "./commands/respondents.js";
import { registerParticipationCommand } from "./commands/participation.js";
import { registerResponsesCommands } from "./commands/responses.js";
import { registerCoordinatorsCommands } from "./commands/coordinators.js";
import { registerWebCommand } from "./commands/web.js";
import { registerUsersCommands } from "./commands/users.js";
import { registerReportCommand } from "./commands/report.js";

/** Adds every sub-command to the program; each feature registers its own commands in its own file. */
export function registerCommands(program: Command): void {
  registerQuestionnaireCommands(program);
  registerScoreCommand(program);
  registerPreviewCommand(program);
  registerStartCommand(program);
  registerCodesCommands(program);
  registerDbCommands(program);
  registerCampaignCommands(program);
  registerFlagsCommands(program);
  registerOutboxCommands(program);
  registerBroadcastCommands(program);
  registerRespondentsCommands(program);
  registerParticipationCommand(program);
  registerResponsesCommands(program);
  registerCoordinatorsCommands(program);
  registerWebCommand(program);
  registerUsersCommands(program);
  registerReportCommand(program);
  void program;
}
