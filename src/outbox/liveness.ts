// Whether the sender that holds a claim is known to be gone, without waiting for its lease.
//
// A claim token names its sender (`workerId:seq`). A sender started with the default worker id
// names its process there: pid, the process's start time, the kernel's boot id and the PID
// namespace. Another sender on the same machine (same boot, same PID namespace) can then tell for
// certain that the process has ended — no process with that pid, or one started at another time
// (the pid reused) — and take its claims back at once, instead of after the claim lease (60 s by
// default; measured by `npm run bench:outbox` with a kill -9 and a restart). Rows it claimed but
// never attempted go back to the queue (provably not sent); rows it was sending are in doubt. A
// claim by a sender on another machine or container, or by a process whose state cannot be read,
// is left to the lease as before: "gone" is only ever concluded from a positive reading.
import { readFileSync, readlinkSync } from "node:fs";

const PREFIX = "proc";

/** The start time of process `pid` in clock ticks since boot (field 22 of /proc/<pid>/stat); undefined when there is no such process. */
function startTime(pid: number | "self"): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[19];
}

/** This machine's boot and this process's PID namespace; undefined where /proc cannot tell (not Linux). */
function machine(): { boot: string; namespace: string } | undefined {
  try {
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    const namespace = /\[(\d+)\]/.exec(readlinkSync("/proc/self/ns/pid"))?.[1];
    return boot && namespace ? { boot, namespace } : undefined;
  } catch {
    return undefined;
  }
}

let own: string | null | undefined;

/**
 * This process as a sender names itself in its worker id: `proc.<pid>.<start>.<boot id>.<pid namespace>`,
 * or undefined where the process cannot be identified so (then only the lease frees its claims).
 */
export function processTag(): string | undefined {
  if (own === undefined) {
    const at = machine();
    const start = startTime("self");
    own = at && start ? [PREFIX, process.pid, start, at.boot, at.namespace].join(".") : null;
  }
  return own ?? undefined;
}

/**
 * True when the sender that wrote `workerId` was a process of this machine and PID namespace that
 * has ended; false when it is alive, of another machine, or cannot be told.
 */
export function senderEnded(workerId: string): boolean {
  const tag = workerId.split("/")[0]!.split(".");
  if (tag.length !== 5 || tag[0] !== PREFIX) return false;
  const [, pid, start, boot, namespace] = tag;
  const at = machine();
  if (!at || at.boot !== boot || at.namespace !== namespace) return false;
  if (!/^\d+$/.test(pid!)) return false;
  if (Number(pid) === process.pid) return startTime("self") !== start;
  try {
    process.kill(Number(pid), 0);
  } catch (error) {
    // ESRCH: no such process in this namespace. EPERM: there is one, of another user.
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return true;
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  // A process has that pid: the sender only if it started when the sender did (else the pid was reused).
  const now = startTime(Number(pid));
  return now !== undefined && now !== start;
}
