/* Every command's usage in one table: `charter CMD --help`, `charter help
 * CMD` and the charter(1) manual page (`charter --man`, run by the build)
 * are all rendered from it, so the three never disagree. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#ifndef CHARTER_VERSION
#error "the build defines CHARTER_VERSION from the CMake project version"
#endif

const char ch_cli_version[] = CHARTER_VERSION;

/* Paragraphs are separated by '\n'; the renderers wrap them. */
static const ch_cli_doc docs[] = {
    {"due",
     "when the promises for one contact fall due",
     "--policy FILE [--service ID] --channel CHANNEL --received TIME [--kind KIND] "
     "[--flag NAME]... [--stage ID] [--pause FROM/TO]... [--json]",
     "Shows each promise that applies to one contact and when it falls due, as a table in the "
     "policy's time zone or as JSON with times in UTC.",
     {{"--policy FILE", "the charter policy file"},
      {"--service ID", "the service contacted (default: enquiries)"},
      {"--channel CHANNEL", "phone, voicemail, email, letter, web, in-person or social"},
      {"--received TIME",
       "when it really arrived: 2026-12-18T16:45 in the policy's time zone, or RFC 3339 with an "
       "offset (2026-12-18T16:45:00Z)"},
      {"--kind KIND", "enquiry (default), service-order, complaint, feedback, foi or sar"},
      {"--flag NAME", "a case flag such as complex (repeatable)"},
      {"--stage ID", "the complaint stage the contact starts, such as stage-2"},
      {"--pause FROM/TO", "a time the clock stood still, two times as for --received (repeatable)"},
      {"--json", "print JSON with times in UTC"}}},
    {"calendar",
     "a calendar's open periods between two dates",
     "--policy FILE [--service ID | --calendar ID] --from DATE --to DATE",
     "Lists each date from --from to --to with the times the service is open, in the policy's "
     "time zone, or closed, so a manager can check a calendar by eye.",
     {{"--policy FILE", "the charter policy file"},
      {"--service ID", "the service whose calendar is listed (default: enquiries)"},
      {"--calendar ID", "a calendar named by its id instead"},
      {"--from DATE", "the first date, YYYY-MM-DD"},
      {"--to DATE", "the last date, on or after --from and at most 3 years later"}}},
    {"policy check",
     "check charter policy files",
     "FILE...",
     "Checks each charter policy file. Exits 0 when all are valid; otherwise prints every "
     "problem as FILE:LINE:COL: what is wrong and how to fix it, and exits 1. A review_by date "
     "that has passed is a warning, not an error.",
     {{NULL, NULL}}},
    {"serve",
     "run the case desk over HTTP",
     "[--listen ADDRESS:PORT] [--db PATH-or-URL] [--policy FILE]... "
     "[--tls-cert FILE --tls-key FILE] [--sweep-seconds N] [--web DIR] "
     "[--smtp URL [--mail-from ADDRESS] [--smtp-starttls] [--smtp-ca FILE]] [--outbox-seconds N] "
     "[--outbox-retry-seconds N]",
     "Runs the case desk: the JSON API under /api/v1/ and the browser desk at /app/. On first "
     "start with an empty database it creates the administrator admin@charter.local and prints "
     "the one-time password. Every argument is checked before the database is opened, so a "
     "mistake creates nothing.\n"
     "Without --policy the desk runs every policies/*.yaml, and a charter an administrator loads "
     "through the API is written into policies/. With --policy, a charter loaded through the API "
     "replaces the file of the loaded policy with the same id; a charter with a new id is "
     "written into the posted/ folder beside the first --policy FILE, and the desk loads every "
     "*.yaml in that folder along with the files named, at once and at every start. SIGHUP "
     "reloads the policies; the ones in use stay if any is invalid.",
     {{"--listen ADDRESS:PORT",
       "the IPv4 address of this machine and the port to listen on (default 127.0.0.1:8080; "
       "port 0 lets the system choose)"},
      {"--db PATH-or-URL",
       "the SQLite database (default ./charter.db, created in a folder that must exist) or "
       "postgres://USER@HOST:PORT/DB"},
      {"--policy FILE", "a charter policy file (repeatable; default: every policies/*.yaml)"},
      {"--tls-cert FILE", "serve HTTPS with this PEM certificate (give --tls-key too)"},
      {"--tls-key FILE", "the certificate's PEM private key"},
      {"--sweep-seconds N",
       "how often past-due promises are marked breached, 1 to 3600 (default 60)"},
      {"--web DIR", "the built browser desk, served at /app/ (default web/dist)"},
      {"--smtp URL",
       "smtp://HOST:PORT or smtps://HOST:PORT, the relay replies, statements and staff mail "
       "leave through (from the outbox, never from a request)"},
      {"--mail-from ADDRESS", "the address mail comes from (default charter@localhost)"},
      {"--trusted-proxy ADDRESS",
       "a proxy in front of the desk (nginx on 127.0.0.1) whose X-Forwarded-For names the client, "
       "for sign-in limits and the audit log; repeatable, at most 8; from anyone else the header "
       "is ignored"},
      {"--site URL",
       "the desk's address as people reach it (https://desk.example.org), for links sent by "
       "email such as a school's sign-in; default the address it listens on"},
      {"--smtp-starttls",
       "the smtp:// relay offers STARTTLS, so mail a charter sends only securely may use it"},
      {"--smtp-ca FILE", "the PEM CA certificates the relay's certificate is checked against"},
      {"--outbox-seconds N",
       "how often the outbox is looked at for mail to send, 1 to 3600 (default 30)"},
      {"--outbox-retry-seconds N",
       "the wait after a message's first failed attempt, doubled after each one up to an hour, "
       "1 to 3600 (default 60)"}}},
    {"admin user add",
     "add a staff account",
     "--email ADDRESS --name NAME --role admin|manager|officer [--service ID]... "
     "--password-stdin [--db PATH-or-URL] [--policy FILE]...",
     "Creates a staff account in the desk's database, which must exist already (charter serve "
     "creates it). The password is the first line of standard input.",
     {{"--email ADDRESS", "the address the person signs in with"},
      {"--name NAME", "their name, 1 to 200 characters"},
      {"--role ROLE", "admin, manager or officer"},
      {"--service ID",
       "a service they work on: POLICY/SERVICE (cognus/enquiries) or a bare id unique among the "
       "policies (repeatable)"},
      {"--password-stdin",
       "read the password, 10 to 256 characters, from standard input (required, so it never "
       "shows in the list of processes)"},
      {"--db PATH-or-URL", "the desk's database (default ./charter.db)"},
      {"--policy FILE",
       "a policy the services are looked up in (repeatable; default: every policies/*.yaml)"}}},
    {"admin token",
     "print a new API token for a staff account",
     "--email ADDRESS [--db PATH-or-URL]",
     "Prints a new API token for the account, to send as Authorization: Bearer TOKEN. "
     "It expires in 90 days; list and revoke tokens at /api/v1/tokens.",
     {{"--email ADDRESS", "the account's address"},
      {"--db PATH-or-URL", "the desk's database, which must exist (default ./charter.db)"}}},
    {"demo",
     "fill a database with demonstration staff and cases",
     "[--db PATH-or-URL] [--cases N] [--policy FILE]...",
     "Adds demonstration staff, cases over the last six weeks in every state, and contracts for "
     "purchased hours to the database, and prints how to sign in.",
     {{"--db PATH-or-URL",
       "the database (default ./charter.db, created in a folder that must exist)"},
      {"--cases N", "how many cases, 0 to 1000000 (default 400)"},
      {"--policy FILE", "a charter policy file (repeatable; default: every policies/*.yaml)"}}},
    {"migrate",
     "move a whole desk from SQLite to PostgreSQL",
     "--from sqlite:PATH --to postgres://USER@HOST:PORT/DB",
     "Copies every table of the desk at --from into the empty desk at --to, in one transaction, "
     "keeping ids, and verifies the row counts. Stop the servers on --from first, so nothing "
     "changes while it copies.",
     {{"--from sqlite:PATH", "the SQLite database to copy, which must exist"},
      {"--to URL", "the empty PostgreSQL desk, postgres://USER@HOST:PORT/DB"}}},
    {"audit verify",
     "check that nobody has rewritten the audit log",
     "[--db PATH-or-URL] [--recorded SEQ:HASH]",
     "Walks the audit log's hash chain: each row carries its place in the chain (seq), the "
     "previous row's hash and a SHA-256 over its own content and that hash. Prints that the "
     "chain is whole, with its row count and last hash, and exits 0; or names the first row "
     "that was changed (its content no longer matches its hash), removed (a gap in the chain) "
     "or reordered (the chain's order disagrees with the order rows were written), and exits 1. "
     "Exits 2 when the command line is wrong or the desk cannot be opened.\n"
     "Rows from before the chain began (written by a release without it) are counted, not "
     "checked. The chain has no secret: removing the newest rows, or recomputing every hash "
     "after an edited row, leaves a chain that is whole on its own. So record the last seq and "
     "hash each run prints somewhere the database's users cannot write, and pass them to the "
     "next run with --recorded: a different hash there is reported as changed, a chain ending "
     "before it as removed.",
     {{"--db PATH-or-URL", "the desk's database, which must exist (default ./charter.db), or "
                           "postgres://USER@HOST:PORT/DB"},
      {"--recorded SEQ:HASH", "a seq and hash an earlier run printed, which the chain must still "
                              "hold"}}},
    {"statement",
     "a school's termly statement of purchased hours",
     "--contract ID [--term TERM] [--xlsx FILE | --pdf FILE] [--db PATH-or-URL] "
     "[--policy FILE]...",
     "Prints the termly statement of a contract's hours: opening balance, each movement, "
     "closing balance and visits still booked.",
     {{"--contract ID", "the contract's id, a whole number"},
      {"--term TERM", "a term such as autumn-2026 (default: the current term)"},
      {"--xlsx FILE", "write the statement as an Excel workbook to FILE instead"},
      {"--pdf FILE", "write the statement as a PDF to FILE instead"},
      {"--db PATH-or-URL", "the desk's database, which must exist (default ./charter.db)"},
      {"--policy FILE", "a charter policy file (repeatable; default: every policies/*.yaml)"}}},
    {"mailgate",
     "take one email from a mail server onto the desk",
     "[--db PATH-or-URL] [--service POLICY/SERVICE] [--recipient ADDRESS] "
     "[--policies DIR | --policy FILE...]",
     "Reads one RFC 5322 message on standard input, as a mail server's pipe gives it (postfix: "
     "mailgate unix - n n - - pipe flags=DRO user=charter argv=/usr/bin/charter mailgate --db "
     "URL --recipient ${recipient}). The message is kept whole first; then a reply joins its "
     "case (by In-Reply-To or References, or by [Case #N] in the subject when it comes from "
     "that case's requester) and anything else opens an email enquiry, acknowledged when the "
     "service's mail: says acknowledge: true. The service is the one named, or the one whose "
     "mail: addresses hold the recipient.\n"
     "Its exit status is for the mail server (sysexits): 0 once the message is stored (a "
     "duplicate is stored once; one that cannot be filed on a case is kept all the same), 75 "
     "when the database or the policies cannot be reached, so the server keeps the message and "
     "tries again, 65 with a sentence on standard error for a message it can never take (not a "
     "message, over 25 MiB, or to an address no service takes), and 64 for a wrong command "
     "line.",
     {{"--db PATH-or-URL", "the desk's database, which must exist (default ./charter.db), or "
                           "postgres://USER@HOST:PORT/DB"},
      {"--service POLICY/SERVICE",
       "take every message for this service (cognus/enquiries, or a bare id unique among the "
       "policies)"},
      {"--recipient ADDRESS",
       "the envelope recipient (postfix ${recipient}), which alone chooses the service; without "
       "it and --service, Delivered-To, "
       "X-Original-To, To and Cc are tried in turn"},
      {"--policies DIR", "the folder of charter policies (default policies/)"},
      {"--policy FILE", "a charter policy file instead (repeatable)"}}},
    {"imap",
     "take a service's mail from a hosted mailbox over IMAP",
     "--db PATH-or-URL --url imaps://HOST[:PORT]/MAILBOX --user NAME --password-file FILE "
     "[--service ID] [--ca-file FILE] [--move-to FOLDER] [--refused-to FOLDER] "
     "[--policy FILE]... (--once | --every SECONDS)",
     "Fetches every unread message in the mailbox over TLS, without marking it, and takes each "
     "onto the desk as charter mailgate does: a reply joins its case, anything else opens one. "
     "Only once the store has kept a message is it marked read (or moved to --move-to), so a "
     "store or network failure loses nothing: what was not kept stays unread for the next poll, "
     "and a message taken twice is recognised by its Message-ID. A message that can never be "
     "taken is refused with a sentence and flagged $CharterRefused (or moved to --refused-to) "
     "so it is not fetched again. Each poll prints what it took, such as took 12 messages: 10 "
     "new cases, 2 replies.\n"
     "Exits 0 when every message was taken or refused, 75 (try again later) when the store or "
     "the IMAP server could not be reached, and 1 when the server refused the login, its "
     "certificate could not be trusted or a folder does not exist. With --every it keeps "
     "polling through outages and stops on SIGTERM.",
     {{"--db PATH-or-URL", "the desk's database, which must exist"},
      {"--url URL",
       "imaps://HOST:PORT/MAILBOX, or imap://HOST:PORT/MAILBOX for a server with STARTTLS, "
       "which is then required; no user or password in it (default mailbox INBOX)"},
      {"--user NAME", "the mailbox's login name"},
      {"--password-file FILE",
       "a file whose first line is the password (never on the command line)"},
      {"--service ID",
       "the service the mail is for, POLICY/SERVICE (default: chosen from each message's "
       "recipient by the policies' mail addresses)"},
      {"--ca-file FILE", "the PEM CA that signed the server's certificate (default: the system's)"},
      {"--move-to FOLDER", "move each taken message to this folder instead of leaving it read"},
      {"--refused-to FOLDER", "move refused messages to this folder instead of flagging them"},
      {"--policy FILE", "a charter policy file (repeatable; default: every policies/*.yaml)"},
      {"--once", "poll once and exit"},
      {"--every SECONDS", "poll again every 1 to 86400 seconds until stopped"}}},
    {"retention run",
     "delete or anonymise what the retention schedule says is due",
     "[--dry-run] [--now DATE] [--db PATH-or-URL] [--policy FILE]...",
     "Applies the retention: schedule of each policy (as charter serve loads them) to its "
     "services: closed cases past their period are anonymised (kept for the reports, their "
     "personal data removed), attachments of closed cases, survey responses, raw inbound mail "
     "and notifications past theirs are deleted. Records under a legal hold, or about a person "
     "under one, are never touched. Audit rows older than the longest audit: period of any "
     "policy are purged oldest first, stopping at the first row about a held record, and a "
     "purge row left in the chain (none while a policy names no audit period). Prints one "
     "line per kind, "
     "e.g. \"anonymised 12 closed cases\", or with --dry-run \"would anonymise 12 closed "
     "cases\" and changes nothing. serve runs the same once a day.\n"
     "Exit status: 0 when the run (or dry run) finished, 1 when the database or a policy "
     "could not be read or a change failed (what was done before stays done), 2 for a usage "
     "error.",
     {{"--dry-run", "count what is due and change nothing"},
      {"--now DATE", "reckon what is due as of DATE (YYYY-MM-DD, midnight UTC) instead of now"},
      {"--db PATH-or-URL", "the desk's database, which must exist (default ./charter.db)"},
      {"--policy FILE", "a charter policy file (repeatable; default: every policies/*.yaml)"}}},
    {"help",
     "show a command's usage",
     "[COMMAND]",
     "Prints the usage of COMMAND exactly as charter COMMAND --help does, or, without COMMAND, "
     "the list of commands.",
     {{NULL, NULL}}},
    {"version",
     "print charter's version",
     "",
     "Prints charter's version, as charter --version does.",
     {{NULL, NULL}}},
};

static const char about[] =
    "Charter keeps a service's published promises: it works out when each one falls due in the "
    "service's own working time, and runs the case desk where staff log and answer every "
    "contact.";

static const char conventions[] =
    "Every command takes --help (or -h) to print its usage. An option's value follows it, as "
    "--db PATH or --db=PATH; a value that starts with -- needs the = form. -- ends the options: "
    "what follows is taken as it is (charter policy check -- -odd-name.yaml). Every argument is "
    "checked before anything is created or changed.";

static const struct {
    int code;
    const char *text;
} exits[] = {
    {CH_EXIT_OK, "success, including --help"},
    {CH_EXIT_FAIL,
     "the arguments were understood but the work failed: an invalid policy file, a date past "
     "the calendar's data, an unknown contract, a database or network error"},
    {CH_EXIT_USAGE,
     "a usage error: an unknown command or option, a missing or malformed value, a file or "
     "folder that does not exist; nothing was created or changed"},
};

const ch_cli_doc *ch_cli_docs(size_t *n)
{
    *n = sizeof(docs) / sizeof(*docs);
    return docs;
}

enum { WIDTH = 79, OPT_COL = 26 };

/* Writes text from column col, wrapping before WIDTH with later lines at
 * indent. In a synopsis a bracketed group stays on one line. */
static void wrap(FILE *fp, const char *text, int col, int indent, bool synopsis)
{
    const char *p = text;
    bool first = true;
    while (*p) {
        const char *end = p;
        int depth = 0;
        while (*end && (depth > 0 || *end != ' ')) {
            depth += *end == '[' ? 1 : *end == ']' ? -1 : 0;
            end++;
        }
        if (!synopsis)
            for (end = p; *end && *end != ' '; end++)
                ;
        else if (p[0] == '-' && p[1] == '-' && end[0] == ' ' && end[1] && end[1] != '-' &&
                 end[1] != '[')
            for (end++; *end && *end != ' '; end++)
                ; /* an option and its value stay together */
        int len = (int)(end - p);
        if (!first && col + 1 + len > WIDTH) {
            fprintf(fp, "\n%*s", indent, "");
            col = indent;
        } else if (!first) {
            fputc(' ', fp);
            col++;
        }
        fwrite(p, 1, (size_t)len, fp);
        col += len;
        first = false;
        p = end;
        while (*p == ' ')
            p++;
    }
    fputc('\n', fp);
}

/* Each '\n'-separated paragraph of text, wrapped, with a blank line between. */
static void paragraphs(FILE *fp, const char *text)
{
    char buf[2048];
    while (*text) {
        size_t len = strcspn(text, "\n");
        snprintf(buf, sizeof(buf), "%.*s", (int)len, text);
        wrap(fp, buf, 0, 0, false);
        text += len;
        if (*text == '\n') {
            text++;
            fputc('\n', fp);
        }
    }
}

static void doc_text(FILE *fp, const ch_cli_doc *doc, bool first)
{
    char lead[64];
    int n = snprintf(lead, sizeof(lead), "%s charter %s ", first ? "usage:" : "      ", doc->name);
    fputs(lead, fp);
    if (*doc->synopsis)
        wrap(fp, doc->synopsis, n, n, true);
    else
        fputc('\n', fp);
}

static void doc_body(FILE *fp, const ch_cli_doc *doc, bool heading)
{
    fputc('\n', fp);
    if (heading)
        fprintf(fp, "charter %s:\n", doc->name);
    paragraphs(fp, doc->about);
    if (!doc->options[0].form)
        return;
    fputc('\n', fp);
    for (size_t i = 0; i < CH_CLI_MAX_OPTIONS && doc->options[i].form; i++) {
        const ch_cli_option *o = &doc->options[i];
        int len = fprintf(fp, "  %s", o->form);
        if (len + 2 > OPT_COL) {
            fprintf(fp, "\n%*s", OPT_COL, "");
        } else {
            fprintf(fp, "%*s", OPT_COL - len, "");
        }
        wrap(fp, o->text, OPT_COL, OPT_COL, false);
    }
}

/* Whether doc is the command named by words (all of them, or a group
 * such as "admin" of which it is a part). */
static bool doc_matches(const ch_cli_doc *doc, const char *words)
{
    size_t n = strlen(words);
    return strncmp(doc->name, words, n) == 0 && (doc->name[n] == '\0' || doc->name[n] == ' ');
}

bool ch_cli_documents(const char *cmd, const char *opt)
{
    size_t len = strlen(opt);
    for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++) {
        if (strcmp(docs[i].name, cmd) != 0)
            continue;
        for (size_t k = 0; k < CH_CLI_MAX_OPTIONS && docs[i].options[k].form; k++) {
            const char *form = docs[i].options[k].form;
            if (strncmp(form, opt, len) == 0 && (form[len] == ' ' || form[len] == '\0'))
                return true;
        }
    }
    return false;
}

void ch_cli_main_usage(FILE *fp)
{
    fputs("usage: charter COMMAND [OPTIONS]\n"
          "       charter help [COMMAND]\n"
          "       charter --version\n\n",
          fp);
    paragraphs(fp, about);
    fputs("\ncommands:\n", fp);
    for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++)
        fprintf(fp, "  %-16s%s\n", docs[i].name, docs[i].summary);
    fputc('\n', fp);
    paragraphs(fp, conventions);
    fputs("\nRun 'charter help COMMAND' (or 'charter COMMAND --help') for a command's options,\n"
          "and 'man charter' for the manual.\n",
          fp);
}

bool ch_cli_help(FILE *fp, const char *words)
{
    size_t matched = 0;
    for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++)
        if (doc_matches(&docs[i], words))
            doc_text(fp, &docs[i], matched++ == 0);
    /* A group's commands each under its name, after all their synopses. */
    for (size_t i = 0; i < sizeof(docs) / sizeof(*docs); i++)
        if (doc_matches(&docs[i], words))
            doc_body(fp, &docs[i], matched > 1);
    return matched > 0;
}

/* Text as roff: backslashes and hyphens escaped (so options copy as typed),
 * and a line never starts with a control character. */
static void roff(FILE *fp, const char *text)
{
    bool bol = true;
    for (const char *p = text; *p; p++) {
        if (bol && (*p == '.' || *p == '\''))
            fputs("\\&", fp);
        bol = false;
        if (*p == '\\')
            fputs("\\e", fp);
        else if (*p == '-')
            fputs("\\-", fp);
        else if (*p == '\n') {
            fputs("\n.PP\n", fp);
            bol = true;
        } else
            fputc(*p, fp);
    }
    fputc('\n', fp);
}

void ch_cli_man(FILE *fp)
{
    size_t n = sizeof(docs) / sizeof(*docs);
    fprintf(fp,
            ".\\\" charter(1), printed by charter --man from the table behind every --help.\n"
            ".TH CHARTER 1 \"\" \"charter %s\" \"User Commands\"\n.nh\n.ad l\n"
            ".SH NAME\n"
            "charter \\- keep a service's published promises in its own working time\n"
            ".SH SYNOPSIS\n"
            ".B charter\n.I command\n.RI [ options ]\n.br\n"
            ".B charter help\n.RI [ command ]\n.br\n"
            ".B charter \\-\\-version\n"
            ".SH DESCRIPTION\n",
            ch_cli_version);
    roff(fp, about);
    fputs(".PP\n", fp);
    roff(fp, conventions);
    fputs(".SH COMMANDS\n", fp);
    for (size_t i = 0; i < n; i++) {
        const ch_cli_doc *d = &docs[i];
        fputs(".SS ", fp);
        roff(fp, d->name);
        fputs(".B charter ", fp);
        roff(fp, d->name);
        if (*d->synopsis)
            roff(fp, d->synopsis);
        fputs(".PP\n", fp);
        roff(fp, d->about);
        for (size_t k = 0; k < CH_CLI_MAX_OPTIONS && d->options[k].form; k++) {
            fputs(".TP\n.B ", fp);
            roff(fp, d->options[k].form);
            roff(fp, d->options[k].text);
        }
    }
    fputs(".SH EXIT STATUS\n", fp);
    for (size_t i = 0; i < sizeof(exits) / sizeof(*exits); i++) {
        fprintf(fp, ".TP\n.B %d\n", exits[i].code);
        roff(fp, exits[i].text);
    }
    fputs(".SH FILES\n"
          ".TP\n.I ./charter.db\n"
          "the SQLite database when no \\-\\-db is given\n"
          ".TP\n.I policies/*.yaml\n"
          "the charter policy files when no \\-\\-policy is given\n"
          ".TP\n.I posted/*.yaml\n"
          "beside the first \\-\\-policy FILE: charters loaded through the API with a new id\n"
          ".SH SIGNALS\n"
          ".TP\n.B SIGHUP\n"
          "charter serve loads its policies again\n"
          ".TP\n.BR SIGINT \", \" SIGTERM\n"
          "charter serve stops\n"
          ".SH SEE ALSO\n"
          "The README and docs/ in Charter's source: docs/policy.md (the policy file),\n"
          "docs/deploy.md (running a desk) and docs/openapi.yaml (the API).\n",
          fp);
}
