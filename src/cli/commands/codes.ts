import { existsSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import {
  BotUsernameError,
  codeDeepLink,
  codeFileFormat,
  CodeFileFormatError,
  hashCode,
  CodeSecretError,
  issueCodes,
  loadCodeSecret,
  reissueCode,
  writeCodeFileTo,
  revokeCodes,
  type AccessRepository,
  type CodeFileFormat,
  type Closing,
  type CodeSlip,
  type IssuedCode,
} from "../../access/index.js";
import { ConfigError, loadConfigFromEnvironment, type Config } from "../../config/index.js";
import { DatabaseError, openDatabase, type Database, type RespondentRecord } from "../../db/index.js";
import { CliError } from "../errors.js";
import { cliError, t } from "../i18n.js";
import { registerCitizenCodeCommands } from "./citizens.js";
import { botDefault, botHint, shellWord, zaloLinkDefault } from "../bot-hint.js";

export { botDefault, botHint, shellWord, zaloLinkDefault } from "../bot-hint.js";
import { describeRecoveries, IssueJournal, recoverUnfinishedIssues } from "../issue-journal.js";
import { PendingFile } from "../pending-file.js";
import { noCampaignError } from "./db.js";

interface IssueOptions {
  readonly campaign: string;
  /** One output file, or several (`--out slips.pdf --out slips.xlsx`): the same codes in each. */
  readonly out: string | readonly string[];
  readonly bot?: string;
}

interface RevokeOptions {
  readonly respondent: string;
  readonly campaign?: string;
}

type ReissueOptions = RevokeOptions & { readonly out: string; readonly bot?: string };

/** Registers `khaosat codes issue|revoke|reissue`. */
export function registerCodesCommands(program: Command): void {
  const codes = program.command("codes").description("one-time access codes: issue, revoke, reissue");
  codes
    .command("issue")
    .description("issue a code to every respondent of a campaign without an active one and write them to FILE (.csv, .xlsx or .pdf slips)")
    .requiredOption("--campaign <id>", "campaign id")
    .requiredOption(
      "--out <file>",
      "output file: .csv or .xlsx for mail merge, .pdf for printable slips; never overwritten. Repeat it to write the same codes to several files at once (--out slips.pdf --out slips.xlsx): plain codes exist only in these files",
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option("--bot <username>", "the bot's Telegram username, printed in every code's deep link and QR (e.g. khaosat_bot). Needed unless BOT_USERNAME is set (environment or .env), which is then the default, or only Zalo is used (ZALO_BOT_LINK set)", botDefault())
    .action(async (options: IssueOptions) => {
      process.stdout.write(await issueCommand(options, new Date()));
    });
  codes
    .command("revoke")
    .description("revoke a respondent's active code (a lost or leaked slip); the code stops working at once")
    .requiredOption("--respondent <external-id>", "the respondent's external_id from the imported file")
    .option("--campaign <id>", "campaign id (needed when the external id is in several campaigns)")
    .action(async (options: RevokeOptions) => {
      process.stdout.write(await revokeCommand(options, new Date()));
    });
  codes
    .command("reissue")
    .description("revoke a respondent's active code and issue a new one, written to FILE")
    .requiredOption("--respondent <external-id>", "the respondent's external_id from the imported file")
    .option("--campaign <id>", "campaign id (needed when the external id is in several campaigns)")
    .requiredOption("--out <file>", "output file (.csv, .xlsx or .pdf); never overwritten")
    .option("--bot <username>", "the bot's Telegram username, for the deep link (default: BOT_USERNAME); not needed when only Zalo is used (ZALO_BOT_LINK set)", botDefault())
    .action(async (options: ReissueOptions) => {
      process.stdout.write(await reissueCommand(options, new Date()));
    });
  registerCitizenCodeCommands(codes);
}

/** `codes issue`: returns the summary to print. */
export async function issueCommand(options: IssueOptions, now: Date): Promise<string> {
  const outs = typeof options.out === "string" ? [options.out] : [...options.out];
  if (outs.length === 0) throw cliError("codes.outNone");
  const duplicate = outs.find((o, i) => outs.findIndex((p) => path.resolve(p) === path.resolve(o)) !== i);
  if (duplicate !== undefined) throw cliError("codes.outTwice", { file: duplicate });
  const formats = outs.map((out) => checkOutput(out, { mayExist: true }));
  const channels = channelsOf(options.bot);
  return withAccess(async ({ db, access, secret }) => {
    const campaign = await db.campaigns.get(options.campaign);
    if (!campaign) throw noCampaignError(options.campaign);
    // First finish or roll back an issue that a crash interrupted (its journal is next to the files).
    const recoveries = await recoverUnfinishedIssues(outs.map((o) => path.dirname(path.resolve(o))), campaign.id, async (hash) => (await access.findCodeByHash(hash)) !== null);
    const recovered = describeRecoveries(recoveries, campaign.timeZone);
    const respondents = await db.respondents.list(campaign.id);
    if (respondents.length === 0) {
      throw cliError("codes.noRespondents", { campaign: campaign.id });
    }
    if (outs.some((out) => existsSync(out))) {
      if (recoveries.some((r) => r.outcome === "finished")) {
        const waiting = respondents.length - (await access.respondentsWithActiveCode(campaign.id)).size;
        return recovered + (waiting > 0 ? `${t("codes.stillWaiting", { count: waiting })}\n` : "");
      }
      for (const out of outs) checkOutput(out);
    }
    const unitNames = await unitNameMap(db, campaign.id);
    const byId = new Map(respondents.map((r) => [r.id, r]));
    const files = outs.map((out) => new PendingFile(out));
    const journal = new IssueJournal(campaign.id, files.map((f) => ({ final: path.resolve(f.file), partial: f.partial })));
    let issued: IssuedCode[];
    try {
      issued = await issueCodes({
        repository: access,
        secret,
        campaignId: campaign.id,
        respondents: respondents.map((r) => ({ id: r.id, unitCode: r.unitCode })),
        now,
        actor: "cli",
        beforeStore: async (list) => {
          // The journal first, then the file: a crash at any point leaves something the next run can settle.
          journal.record(list.length, [list[0]!, list[list.length - 1]!].map((i) => hashCode(i.code, secret)), now);
          await testPause("journal");
          for (const [i, file] of files.entries()) await file.writeWith((fd) => render(fd, formats[i]!, list, byId, unitNames, channels, campaign.name, now, { at: campaign.closesAt, timeZone: campaign.timeZone }));
          await testPause("file");
        },
      });
    } catch (error) {
      for (const file of files) file.discard();
      journal.remove();
      throw error;
    }
    const holding = respondents.length - issued.length;
    if (issued.length === 0) return `${recovered}${t("codes.allHold", { campaign: campaign.id, files: outs.join(", ") })}\n`;
    await testPause("stored");
    for (const file of files) file.commit();
    await testPause("linked");
    journal.remove();
    const wrote = outs.map((out, i) => `${out} (${formats[i]})`).join(", ");
    return (
      recovered +
      t("codes.issuedNamed", { count: issued.length, name: campaign.name, campaign: campaign.id }) +
      (holding > 0 ? t("codes.holding", { count: holding }) : "") +
      `\n${t(outs.length === 1 ? "codes.wroteOne" : "codes.wroteMany", { files: wrote })}\n`
    );
  });
}

/**
 * Crash tests (test/access/issue-kill.test.ts) stop the command at a named point with
 * KHAOSAT_TEST_PAUSE_AT and kill it there with SIGKILL; without the variable this does nothing.
 */
async function testPause(point: "journal" | "file" | "stored" | "linked"): Promise<void> {
  if (process.env.KHAOSAT_TEST_PAUSE_AT !== point) return;
  process.stderr.write(`paused at ${point}\n`);
  await new Promise(() => setInterval(() => undefined, 1000));
}

/** `codes revoke`: returns the summary to print. */
export async function revokeCommand(options: RevokeOptions, now: Date): Promise<string> {
  return withAccess(async ({ db, access }) => {
    const respondent = await findRespondent(db, options);
    const campaignName = (await db.campaigns.get(respondent.campaignId))?.name ?? respondent.campaignId;
    const count = await revokeCodes({ repository: access, campaignId: respondent.campaignId, respondentId: respondent.id, now, actor: "cli" });
    if (count === 0) return `${t("codes.nothingRevoked", { respondent: describe(respondent, campaignName) })}\n`;
    // The next command as it runs here: a file name that is free, and --bot when nothing configures the bot.
    return `${t("codes.revokedNext", { respondent: describe(respondent, campaignName), externalId: shellWord(respondent.externalId), campaign: respondent.campaignId, file: freeFileName(respondent.externalId), ...botHint() })}\n`;
  });
}

/** `codes reissue`: returns the summary to print. */
export async function reissueCommand(options: ReissueOptions, now: Date): Promise<string> {
  const format = checkOutput(options.out);
  const channels = channelsOf(options.bot);
  return withAccess(async ({ db, access, secret }) => {
    const respondent = await findRespondent(db, options);
    const campaign = await db.campaigns.get(respondent.campaignId);
    const unitNames = await unitNameMap(db, respondent.campaignId);
    const file = new PendingFile(options.out);
    try {
      await reissueCode({
        repository: access,
        secret,
        campaignId: respondent.campaignId,
        respondent: { id: respondent.id, unitCode: respondent.unitCode },
        now,
        actor: "cli",
        beforeStore: async (list) =>
          file.writeWith((fd) =>
            render(fd, format, list, new Map([[respondent.id, respondent]]), unitNames, channels, campaign?.name ?? respondent.campaignId, now, campaign ? { at: campaign.closesAt, timeZone: campaign.timeZone } : undefined),
          ),
      });
    } catch (error) {
      file.discard();
      throw error;
    }
    file.commit();
    return `${t("codes.reissued", { respondent: describe(respondent, campaign?.name ?? respondent.campaignId), file: options.out, format })}\n`;
  });
}

function checkOutput(out: string, options: { readonly mayExist?: boolean } = {}): CodeFileFormat {
  let format: CodeFileFormat;
  try {
    format = codeFileFormat(out);
  } catch (error) {
    if (error instanceof CodeFileFormatError) throw cliError("codes.badFormat", { file: out });
    throw error;
  }
  if (!options.mayExist && existsSync(out)) throw cliError("codes.outExists", { file: out });
  if (!existsSync(path.dirname(path.resolve(out)))) throw cliError("codes.noFolder", { folder: path.dirname(path.resolve(out)) });
  return format;
}



/** Where slips send respondents: Telegram (--bot), Zalo (ZALO_BOT_LINK), or both; neither is an error saying what to give. */
export function channelsOf(bot: string | undefined): { readonly bot?: string; readonly zaloLink?: string } {
  const zaloLink = zaloLinkDefault();
  if (bot === undefined && zaloLink === undefined) {
    throw cliError("codes.noChannel");
  }
  if (zaloLink !== undefined && !/^https?:\/\/\S+$/.test(zaloLink)) throw cliError("codes.badZaloLink");
  if (bot !== undefined) checkBot(bot);
  return { ...(bot !== undefined ? { bot } : {}), ...(zaloLink !== undefined ? { zaloLink } : {}) };
}

function checkBot(bot: string): void {
  try {
    codeDeepLink(bot, "2222222222");
  } catch (error) {
    if (error instanceof BotUsernameError) throw cliError("codes.badBot", { bot: error.username });
    throw error;
  }
}

function describe(r: RespondentRecord, campaignName: string): string {
  return t("codes.respondentNamed", { name: r.fullName, externalId: r.externalId, campaignName, campaign: r.campaignId });
}



/** A file name for a respondent's new code that does not exist yet in the current folder. */
function freeFileName(externalId: string): string {
  const id = externalId.normalize("NFC").replace(/[^\p{L}\p{N}_-]+/gu, "-").replace(/^-+|-+$/g, "") || "code";
  for (let n = 1; ; n++) {
    const name = t("codes.reissueFile", { id: n === 1 ? id : `${id}-${n}` });
    if (!existsSync(name)) return name;
  }
}

async function unitNameMap(db: Database, campaignId: string): Promise<Map<string, string>> {
  return new Map((await db.respondents.units(campaignId)).map((u) => [u.code, u.name]));
}

async function findRespondent(db: Database, options: RevokeOptions): Promise<RespondentRecord> {
  if (options.campaign !== undefined) {
    if (!(await db.campaigns.get(options.campaign))) throw noCampaignError(options.campaign);
    const found = await db.respondents.getByExternalId(options.campaign, options.respondent);
    if (!found) throw cliError("codes.noSuchRespondent", { campaign: options.campaign, externalId: options.respondent });
    return found;
  }
  const matches: RespondentRecord[] = [];
  for (const campaign of await db.campaigns.list()) {
    const found = await db.respondents.getByExternalId(campaign.id, options.respondent);
    if (found) matches.push(found);
  }
  const [only] = matches;
  if (!only) throw cliError("codes.noRespondentAnywhere", { externalId: options.respondent });
  if (matches.length > 1) {
    throw cliError("codes.inSeveral", { externalId: options.respondent, campaigns: matches.map((m) => `"${m.campaignId}"`).join(", ") });
  }
  return only;
}

/** Writes the issued codes into the pending file `fd` (PDF slips stream in page by page). */
async function render(
  fd: number,
  format: CodeFileFormat,
  issued: readonly IssuedCode[],
  respondents: ReadonlyMap<string, RespondentRecord>,
  unitNames: ReadonlyMap<string, string>,
  channels: { readonly bot?: string; readonly zaloLink?: string },
  title: string,
  now: Date,
  closing: Closing | undefined,
): Promise<void> {
  const { bot, zaloLink } = channels;
  const slips: CodeSlip[] = issued.map(({ respondentId, code }) => {
    const r = respondents.get(respondentId);
    if (!r) throw new Error(`issued a code to unknown respondent ${respondentId}`);
    // Zalo has no start parameter: without a Telegram bot every slip's QR is the Zalo bot's link.
    const link = bot !== undefined ? codeDeepLink(bot, code) : zaloLink!;
    return { code, link, externalId: r.externalId, name: r.fullName, unit: unitNames.get(r.unitCode) ?? r.unitCode, ...(r.language ? { language: r.language } : {}) };
  });
  return writeCodeFileTo(fd, format, slips, { ...(bot !== undefined ? { botUsername: bot } : {}), ...(zaloLink !== undefined ? { zaloLink } : {}), title, createdAt: now, ...(closing ? { closing } : {}) });
}


interface AccessContext {
  readonly db: Database;
  readonly access: AccessRepository;
  readonly secret: ReturnType<typeof loadCodeSecret>;
}

async function withAccess<T>(run: (context: AccessContext) => Promise<T>): Promise<T> {
  let config: Config;
  try {
    config = loadConfigFromEnvironment();
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  let secret: AccessContext["secret"];
  try {
    secret = loadCodeSecret(config);
  } catch (error) {
    if (error instanceof CodeSecretError) throw new CliError(error.message);
    throw error;
  }
  const url = config.databaseUrl.reveal();
  let db: Database | undefined;
  try {
    db = await openDatabase(url);
    return await run({ db, access: db.access, secret });
  } catch (error) {
    if (error instanceof DatabaseError) throw new CliError(error.message);
    throw error;
  } finally {
    await db?.close();
  }
}
