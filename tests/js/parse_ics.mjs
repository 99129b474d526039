// Reads iCalendar text on stdin, parses it with Mozilla's ical.js (as Thunderbird does)
// and prints JSON: the calendar's properties and, for each VEVENT, what a client would show.
// Every VTIMEZONE in the file is registered first, so TZID times convert to real instants;
// `start_tzid` tells which zone ical.js resolved ("floating" means the TZID was not understood).
// Exit status 1 with the error on stderr when ical.js cannot parse or read a field.
import ICAL from "ical.js";

/** The text of stdin. */
async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** A property's parameters as a plain object (names lower case, as in jCal). */
function params(prop) {
  return prop.toJSON()[1];
}

/** A DATE as "YYYY-MM-DD", a DATE-TIME as its UTC instant in ISO form. */
function instant(time) {
  if (time.isDate) return time.toString();
  return time.toJSDate().toISOString();
}

/** A calendar address (ORGANIZER or ATTENDEE) with its parameters. */
function address(prop) {
  return { value: prop.getFirstValue(), params: params(prop) };
}

/** What a client reads from one VEVENT. */
function describeEvent(vevent) {
  const event = new ICAL.Event(vevent);
  const organizer = vevent.getFirstProperty("organizer");
  const rsvp = vevent.getAllProperties("attendee").map(address);
  return {
    uid: event.uid,
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue("status"),
    summary: event.summary,
    location: event.location,
    description: event.description,
    start: instant(event.startDate),
    end: instant(event.endDate),
    all_day: event.startDate.isDate,
    start_tzid: event.startDate.isDate ? null : event.startDate.zone.tzid,
    end_tzid: event.endDate.isDate ? null : event.endDate.zone.tzid,
    dtstamp: instant(vevent.getFirstPropertyValue("dtstamp")),
    transp: vevent.getFirstPropertyValue("transp"),
    url: vevent.getFirstPropertyValue("url"),
    categories: vevent.getAllProperties("categories").flatMap((p) => p.getValues()),
    organizer: organizer ? address(organizer) : null,
    attendees: rsvp,
  };
}

/** The calendar-level properties, each as [value, params] (values stringified). */
function describeCalendar(vcalendar) {
  const props = {};
  for (const prop of vcalendar.getAllProperties()) {
    props[prop.name] = { value: String(prop.getFirstValue()), params: params(prop) };
  }
  return props;
}

const vcalendar = new ICAL.Component(ICAL.parse(await readStdin()));
const timezones = vcalendar.getAllSubcomponents("vtimezone");
for (const vtimezone of timezones) ICAL.TimezoneService.register(vtimezone);

process.stdout.write(JSON.stringify({
  method: vcalendar.getFirstPropertyValue("method"),
  calendar: describeCalendar(vcalendar),
  timezones: timezones.map((tz) => tz.getFirstPropertyValue("tzid")),
  events: vcalendar.getAllSubcomponents("vevent").map(describeEvent),
}, null, 2) + "\n");
