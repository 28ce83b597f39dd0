import type { Command } from "commander";
import { formatIssue, loadQuestionnaireFile, type Questionnaire } from "../../questionnaire/index.js";

/** Registers `khaosat questionnaire validate FILE...`. */
export function registerQuestionnaireCommands(program: Command): void {
  const questionnaire = program.command("questionnaire").description("work with questionnaire files");
  questionnaire
    .command("validate")
    .description("check questionnaire files (YAML or JSON) and report every problem with its line")
    .argument("<files...>", "questionnaire files")
    .action(async (files: string[]) => {
      process.exitCode = await validateFiles(files, (s) => process.stdout.write(s), (s) => process.stderr.write(s));
    });
}

/** Validates each file, printing issues (stderr) or a one-line summary (stdout); returns the exit code. */
export async function validateFiles(files: readonly string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  let failed = 0;
  for (const file of files) {
    const result = await loadQuestionnaireFile(file);
    if (!result.ok) {
      failed++;
      for (const issue of result.issues) err(`${formatIssue(issue)}\n`);
      err(`${file}: ${result.issues.length} error${result.issues.length === 1 ? "" : "s"}\n`);
      continue;
    }
    for (const warning of result.warnings) err(`${formatIssue(warning)}\n`);
    out(`${file}: ok: ${summarize(result.questionnaire)}\n`);
  }
  if (files.length > 1 && failed > 0) err(`${failed} of ${files.length} files have errors\n`);
  return failed > 0 ? 1 : 0;
}

/** `par-officials v3, 42 questions in 6 sections, languages vi, en, points scoring (surveyMax 31.5)` */
export function summarize(q: Questionnaire): string {
  const sections = q.definition.sections.length;
  const count = q.questions.length;
  const scoring = q.definition.scoring;
  let scored = "not scored";
  if (scoring?.kind === "points") {
    const questions = q.questions.filter((i) => "maxPoints" in i.question && i.question.maxPoints !== undefined).length;
    scored = `points scoring: ${questions} scored question${questions === 1 ? "" : "s"}, surveyMax ${scoring.surveyMax}${
      scoring.appraisalMax !== undefined ? `, appraisalMax ${scoring.appraisalMax}` : ""
    }`;
  } else if (scoring?.kind === "satisfaction") {
    const criteria = q.questions.filter((i) => i.question.type === "scale").length;
    scored = `satisfaction scoring: ${criteria} scale question${criteria === 1 ? "" : "s"}${scoring.overallQuestion ? `, overall ${scoring.overallQuestion}` : ""}`;
  }
  return `${q.id} v${q.version}, ${count} question${count === 1 ? "" : "s"} in ${sections} section${sections === 1 ? "" : "s"}, languages ${q.languages.join(", ")}, ${scored}`;
}
