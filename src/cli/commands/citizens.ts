import { existsSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { stringify } from "csv-stringify/sync";
import { neutraliseCell } from "../../documents/csv-cell.js";
import { codeDeepLink, CodeSecretError, formatCode, loadCodeSecret, writeSlipsPdf } from "../../access/index.js";
import { CitizenService, CitizensInputError, DEFAULT_POSTER_PERIOD_DAYS, posterDeepLink, posterStartPayload, writePosterPdf, writeReceiptPdf, type BatchKind, type CitizensRepository } from "../../citizens/index.js";
import { ConfigError, loadConfigFromEnvironment, type Language } from "../../config/index.js";
import { isSupportedLanguage } from "../../i18n/index.js";
import { DatabaseError, openDatabase, type CampaignRecord, type Database } from "../../db/index.js";
import { CliError } from "../errors.js";
import { cliError, t } from "../i18n.js";
import { botDefault, channelsOf } from "./codes.js";
import { PendingFile } from "../pending-file.js";
import { noCampaignError } from "./db.js";

interface BatchOptions {
  readonly campaign: string;
  readonly unit: string;
  readonly unitName?: string;
  readonly count: string;
  readonly service?: string;
  readonly out: string;
  readonly format?: string;
  /** Absent: only Zalo (ZALO_BOT_LINK). */
  readonly bot?: string;
  readonly lang?: string;
}

interface PosterOptions {
  readonly campaign: string;
  readonly unit: string;
  readonly unitName?: string;
  readonly service?: string;
  readonly out: string;
  readonly bot?: string;
  readonly periodDays?: string;
  readonly lang?: string;
}

/** Adds `codes batch` and `codes poster` (citizens' feedback, issue 7) to the `codes` command. */
export function registerCitizenCodeCommands(codes: Command): void {
  codes
    .command("batch")
    .description("issue N single-use anonymous codes for a unit's one-stop desk: CSV, an A4 sheet of slips, or 80 mm receipt slips")
    .requiredOption("--campaign <id>", "campaign id")
    .requiredOption("--unit <code>", "the unit the codes rate (its code)")
    .option("--unit-name <name>", "the unit's name, to add the unit when the campaign does not have it yet")
    .requiredOption("--count <n>", "how many codes (1-10000)")
    .option("--service <name>", 'the public service the codes are for, e.g. "Đăng ký kết hôn"')
    .requiredOption("--out <file>", "output file: .csv, or .pdf (see --format); never overwritten")
    .option("--format <format>", "for .pdf: a4 (cut-out slips, 8 a page) or receipt (80 mm receipt printer, one slip a page)", "a4")
    .option("--bot <username>", "the bot's Telegram username, for the deep links (e.g. khaosat_bot; default: BOT_USERNAME); not needed when only Zalo is used (ZALO_BOT_LINK set: the QR opens the Zalo bot and the slip says to send the code)", botDefault())
    .option("--lang <language>", "the language of the printed texts: vi (default) or en")
    .action(async (options: BatchOptions) => {
      process.stdout.write(await batchCommand(options, new Date()));
    });
  codes
    .command("poster")
    .description("make an A4 poster with one reusable QR for a unit's counter (one response per person per period)")
    .requiredOption("--campaign <id>", "campaign id")
    .requiredOption("--unit <code>", "the unit the poster's responses rate (its code)")
    .option("--unit-name <name>", "the unit's name, to add the unit when the campaign does not have it yet")
    .option("--service <name>", "the public service, printed on the poster")
    .requiredOption("--out <file>", "output .pdf file; never overwritten")
    .option("--bot <username>", "the bot's Telegram username, for the deep link (default: BOT_USERNAME); not needed when only Zalo is used (ZALO_BOT_LINK set: the QR opens the Zalo bot and the poster prints the text to send)", botDefault())
    .option("--period-days <days>", `one response per Telegram account and unit per this many days (default ${DEFAULT_POSTER_PERIOD_DAYS})`)
    .option("--lang <language>", "the language of the poster's texts: vi (default) or en")
    .action(async (options: PosterOptions) => {
      process.stdout.write(await posterCommand(options, new Date()));
    });
}

/** The language of printed slips and posters (`--lang`): Vietnamese unless English is asked for. */
function printLanguage(lang: string | undefined): Language {
  if (lang === undefined) return "vi";
  const wanted = lang.trim().toLowerCase();
  if (!isSupportedLanguage(wanted)) throw cliError("codes.badPrintLang", { lang });
  return wanted;
}

/** `codes batch`: returns the summary to print. */
export async function batchCommand(options: BatchOptions, now: Date): Promise<string> {
  const ext = path.extname(options.out).toLowerCase();
  if (ext !== ".csv" && ext !== ".pdf") throw cliError("codes.batch.badExt", { file: options.out });
  const format = options.format ?? "a4";
  if (format !== "a4" && format !== "receipt") throw cliError("codes.batch.badLayout", { format });
  const kind: BatchKind = ext === ".csv" ? "csv" : format;
  const count = parseWhole("--count", options.count);
  const language = printLanguage(options.lang);
  checkOut(options.out);
  const { bot, zaloLink } = channelsOf(options.bot);
  return withCitizens(async ({ db, service }) => {
    const campaign = await findCampaign(db, options.campaign);
    const file = new PendingFile(options.out);
    let batch;
    try {
      batch = await service.issueBatch({
        campaignId: campaign.id,
        unitCode: options.unit,
        ...(options.unitName !== undefined ? { unitName: options.unitName } : {}),
        ...(options.service !== undefined ? { service: options.service } : {}),
        count,
        kind,
        now,
        actor: "cli",
        beforeStore: async ({ unitName, codes }) => {
          const serviceName = options.service?.normalize("NFC").trim() || undefined;
          // Zalo has no start parameter: without a Telegram bot every slip's QR is the Zalo bot's link and the code is typed.
          const slips = codes.map((code) => ({ code, link: bot !== undefined ? codeDeepLink(bot, code) : zaloLink!, unit: unitName, language, ...(serviceName ? { service: serviceName } : {}) }));
          const pdfOptions = { ...(bot !== undefined ? { botUsername: bot } : {}), ...(zaloLink !== undefined ? { zaloLink } : {}), title: campaign.name, createdAt: now, closing: { at: campaign.closesAt, timeZone: campaign.timeZone }, language };
          // PDFs stream into the pending file page by page: bounded memory whatever the count.
          if (kind === "csv") await file.write(batchCsv(options.unit, slips));
          else await file.writeWith((fd) => (kind === "receipt" ? writeReceiptPdf(fd, slips, pdfOptions) : writeSlipsPdf(fd, slips, pdfOptions)));
        },
      });
    } catch (error) {
      file.discard();
      throw error;
    }
    file.commit();
    // What was made, for whom and where it is; the batch's internal id is for nobody (no command takes it).
    const serviceName = options.service?.normalize("NFC").trim() || undefined;
    return `${t("codes.batch.made", {
      count: batch.codes.length,
      unitName: batch.unitName,
      unit: options.unit,
      service: serviceName ? t("codes.batch.service", { service: serviceName }) : "",
      name: campaign.name,
      campaign: campaign.id,
      file: options.out,
      what: t(`codes.batch.what.${kind}`),
    })}\n`;
  });
}

/** `codes poster`: returns the summary to print. */
export async function posterCommand(options: PosterOptions, now: Date): Promise<string> {
  if (path.extname(options.out).toLowerCase() !== ".pdf") throw cliError("codes.poster.notPdf");
  const periodDays = options.periodDays === undefined ? undefined : parseWhole("--period-days", options.periodDays);
  const language = printLanguage(options.lang);
  checkOut(options.out);
  // Telegram's link carries the poster's unit; a Zalo link carries nothing, so a Zalo poster prints
  // the `KP_…` text to send (the conversation host reads it like Telegram's start parameter).
  const { bot, zaloLink } = channelsOf(options.bot);
  return withCitizens(async ({ db, service }) => {
    const campaign = await findCampaign(db, options.campaign);
    const poster = await service.createPoster({
      campaignId: campaign.id,
      unitCode: options.unit,
      ...(options.unitName !== undefined ? { unitName: options.unitName } : {}),
      ...(options.service !== undefined ? { service: options.service } : {}),
      ...(periodDays !== undefined ? { periodDays } : {}),
      now,
      actor: "cli",
    });
    const serviceName = options.service?.normalize("NFC").trim() || undefined;
    const file = new PendingFile(options.out);
    await file.writeWith((fd) =>
      writePosterPdf(
        fd,
        {
          unit: poster.unitName,
          ...(serviceName ? { service: serviceName } : {}),
          link: bot !== undefined ? posterDeepLink(bot, poster.token) : zaloLink!,
          periodDays: poster.periodDays,
          ...(zaloLink !== undefined ? { zalo: { link: zaloLink, payload: posterStartPayload(poster.token), qr: bot === undefined } } : {}),
        },
        { ...(bot !== undefined ? { botUsername: bot } : {}), ...(zaloLink !== undefined ? { zaloLink } : {}), title: campaign.name, createdAt: now, closing: { at: campaign.closesAt, timeZone: campaign.timeZone }, language },
      ),
    );
    file.commit();
    const accounts = bot === undefined ? "Zalo" : zaloLink === undefined ? "Telegram" : t("codes.poster.either");
    return `${t("codes.poster.madeNamed", {
      unitName: poster.unitName,
      unit: options.unit,
      service: serviceName ? t("codes.batch.service", { service: serviceName }) : "",
      name: campaign.name,
      campaign: campaign.id,
      accounts,
      days: poster.periodDays,
      file: options.out,
    })}\n`;
  });
}

function batchCsv(unitCode: string, slips: readonly { code: string; link: string; unit: string; service?: string }[]): Buffer {
  const rows = [["unit_code", "unit", "service", "code", "link"], ...slips.map((s) => [unitCode, s.unit, s.service ?? "", formatCode(s.code), s.link].map(defuse))];
  // A BOM so Excel shows the Vietnamese unit names correctly.
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(stringify(rows, { record_delimiter: "\r\n" }), "utf8")]);
}

// Spreadsheets run cells beginning with = + - @ as formulas.
const defuse = neutraliseCell;

function parseWhole(flag: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw cliError("codes.wholeNumber", { flag, value: text });
  return Number(text.trim());
}

function checkOut(out: string): void {
  if (existsSync(out)) throw cliError("codes.outExistsNever", { file: out });
  if (!existsSync(path.dirname(path.resolve(out)))) throw cliError("codes.noFolder", { folder: path.dirname(path.resolve(out)) });
}

async function findCampaign(db: Database, id: string): Promise<CampaignRecord> {
  const campaign = await db.campaigns.get(id);
  if (!campaign) throw noCampaignError(id);
  if (campaign.closedAt !== null) throw cliError("codes.campaignClosed", { campaign: id });
  return campaign;
}


interface CitizensContext {
  readonly db: Database;
  readonly repository: CitizensRepository;
  readonly service: CitizenService;
}

async function withCitizens<T>(run: (context: CitizensContext) => Promise<T>): Promise<T> {
  let secret;
  let url: string;
  try {
    const config = loadConfigFromEnvironment();
    secret = loadCodeSecret(config);
    url = config.databaseUrl.reveal();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof CodeSecretError) throw new CliError(error.message);
    throw error;
  }
  let db: Database | undefined;
  try {
    db = await openDatabase(url);
    const service = new CitizenService({ repository: db.citizens, secret });
    return await run({ db, repository: db.citizens, service });
  } catch (error) {
    if (error instanceof DatabaseError || error instanceof CitizensInputError) throw new CliError(error.message);
    throw error;
  } finally {
    await db?.close();
  }
}
