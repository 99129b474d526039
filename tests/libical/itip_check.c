/* Reads one iCalendar object on stdin and checks it with libical (as Evolution and many
 * servers do): parsed without errors, and within RFC 5546's restrictions for its METHOD
 * (icalrestriction_check). Prints JSON: {"ok": true|false, "errors": [...], "events":
 * [{"uid", "sequence", "start", "end"}]} with start and end as UTC instants (seconds since
 * the epoch; all-day dates as "YYYY-MM-DD"). Exit status 0 when ok, 1 when not, 2 when
 * the text cannot be read at all. Built by the tests (tests/libical_helpers.py). */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_stdin(void) {
    size_t size = 0, used = 0;
    char *text = NULL;
    for (;;) {
        if (used + 4096 + 1 > size) {
            size = (size + 4096) * 2;
            text = realloc(text, size);
            if (!text) exit(2);
        }
        size_t got = fread(text + used, 1, 4096, stdin);
        used += got;
        if (got == 0) break;
    }
    text[used] = '\0';
    return text;
}

static void json_string(const char *value) {
    putchar('"');
    for (const char *c = value; *c; c++) {
        if (*c == '"' || *c == '\\') printf("\\%c", *c);
        else if ((unsigned char)*c < 0x20) printf("\\u%04x", (unsigned char)*c);
        else putchar(*c);
    }
    putchar('"');
}

static int print_errors(icalcomponent *component, int printed) {
    for (icalproperty *p = icalcomponent_get_first_property(component, ICAL_XLICERROR_PROPERTY);
         p; p = icalcomponent_get_next_property(component, ICAL_XLICERROR_PROPERTY)) {
        if (printed++) putchar(',');
        json_string(icalproperty_get_xlicerror(p));
    }
    for (icalcomponent *c = icalcomponent_get_first_component(component, ICAL_ANY_COMPONENT);
         c; c = icalcomponent_get_next_component(component, ICAL_ANY_COMPONENT))
        printed = print_errors(c, printed);
    return printed;
}

static void print_time(struct icaltimetype time) {
    if (icaltime_is_null_time(time)) printf("null");
    else if (time.is_date) printf("\"%04d-%02d-%02d\"", time.year, time.month, time.day);
    else printf("%lld", (long long)icaltime_as_timet_with_zone(time, time.zone));
}

int main(void) {
    char *text = read_stdin();
    icalcomponent *calendar = icalparser_parse_string(text);
    if (!calendar) {
        printf("{\"ok\": false, \"errors\": [\"libical could not parse the text\"], \"events\": []}\n");
        return 2;
    }
    int restricted = icalrestriction_check(calendar);
    printf("{\"errors\": [");
    int errors = print_errors(calendar, 0);
    printf("], \"events\": [");
    int first = 1;
    for (icalcomponent *e = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT);
         e; e = icalcomponent_get_next_component(calendar, ICAL_VEVENT_COMPONENT)) {
        if (!first) putchar(',');
        first = 0;
        printf("{\"uid\": ");
        json_string(icalcomponent_get_uid(e) ? icalcomponent_get_uid(e) : "");
        printf(", \"sequence\": %d, \"start\": ", icalcomponent_get_sequence(e));
        print_time(icalcomponent_get_dtstart(e));
        printf(", \"end\": ");
        print_time(icalcomponent_get_dtend(e));
        putchar('}');
    }
    int ok = restricted && errors == 0;
    printf("], \"ok\": %s}\n", ok ? "true" : "false");
    return ok ? 0 : 1;
}
