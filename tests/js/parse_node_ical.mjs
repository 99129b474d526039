// Reads iCalendar text on stdin, parses it with node-ical (the parser of many Node.js
// calendar integrations) and prints JSON: for each VEVENT its uid, sequence, summary,
// location, and start and end as UTC instants ("YYYY-MM-DD" for all-day dates).
// Exit status 1 with the error on stderr when node-ical cannot parse the text.
import ical from "node-ical";

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

function when(value) {
  if (value.dateOnly) {
    const pad = (n) => String(n).padStart(2, "0");
    return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
  }
  return value.toISOString();
}

try {
  const parsed = ical.sync.parseICS(await readStdin());
  const events = Object.values(parsed).filter((item) => item.type === "VEVENT").map((e) => ({
    uid: e.uid,
    sequence: Number(e.sequence ?? 0),
    summary: typeof e.summary === "object" ? e.summary.val : e.summary,
    location: typeof e.location === "object" ? e.location.val : e.location,
    start: when(e.start),
    end: when(e.end),
    organizer: e.organizer ? (typeof e.organizer === "object" ? e.organizer.val : e.organizer) : null,
  }));
  process.stdout.write(JSON.stringify({ events }));
} catch (error) {
  process.stderr.write(String(error && error.stack || error));
  process.exit(1);
}
