// The client's half of test/integration/parser_agreement.sh: runs the client engine's check
// (src/client/statement_check, libpg_query) over the same migrations the suite gives the
// extension (trovella_migrate.plan, pg_parse_query), and compares the two verdicts.
//
//   parser_verdicts migrations CASES [CORPUS_DIR...]
//       prints the migrations as one JSON object {"tag": "text", ...}: every case of the CASES
//       file, then every .sql file of each corpus folder (tag "<folder>__<file name>")
//   parser_verdicts statements CASES
//       prints, one JSON object a line, every SQL statement of the cases that the client reads as
//       transactional or no_transaction_block: {"tag", "class", "sql"}; the suite runs each inside
//       a transaction block, to hold the rule table against the server itself
//   parser_verdicts compare CASES [CORPUS_DIR...] EXTENSION_VERDICTS
//       EXTENSION_VERDICTS is {"tag": {"sqlstate", "message", "detail", "hint", "context"}}, what
//       plan() raised for each migration alone ("00000": nothing). For every migration, the
//       client's error must be the same, field by field; for every case, the client's verdict must
//       also be what the case expects. Prints "ok - ..." / "not ok - ..." lines; exit status 1
//       when any is not ok.
//
// The CASES file: lines starting with "#" are comments (a case's text cannot start a line with
// one). A case starts with
// "=== NAME" (NAME is its tag); "expect: ..." lines follow, then the migration text, up to the
// next "===" line (its last newline is not part of the text). Expectations:
//   expect: ok                            no statement refused
//   expect: refused N:L CLASS REASON      one refused SQL statement, in order: statement N (the
//                                         piece), named at line L, its class and reason
//   expect: error SQLSTATE MESSAGE        the parser rejects it
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "client/failure.hpp"
#include "client/statement_check.hpp"
#include "core/error.hpp"
#include "core/splitter.hpp"

namespace {

using nlohmann::json;
using namespace trovella;

struct Migration {
    std::string tag;
    std::string text;
    std::vector<std::string> expect;  // a case's expectations; none for a corpus file
    std::string group;                // "" for a case, else the corpus folder's name
};

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::vector<Migration> read_cases(const std::string& path) {
    std::vector<Migration> cases;
    std::istringstream in(read_file(path));
    std::string line;
    bool in_text = false;
    while (std::getline(in, line)) {
        if (line.rfind("=== ", 0) == 0) {
            if (!cases.empty() && !cases.back().text.empty()) cases.back().text.pop_back();
            cases.push_back({line.substr(4), "", {}, ""});
            in_text = false;
        } else if (!line.empty() && line[0] == '#') {
            continue;
        } else if (cases.empty()) {
            if (!line.empty()) throw std::runtime_error(path + ": text before the first case");
        } else if (!in_text && line.rfind("expect: ", 0) == 0) {
            cases.back().expect.push_back(line.substr(8));
        } else {
            in_text = true;
            cases.back().text += line + "\n";
        }
    }
    if (!cases.empty() && !cases.back().text.empty()) cases.back().text.pop_back();
    for (const auto& c : cases)
        if (c.expect.empty()) throw std::runtime_error(path + ": case " + c.tag + " expects nothing");
    return cases;
}

std::vector<Migration> read_corpus(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        if (entry.path().extension() == ".sql") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    const std::string group = dir.filename().string();
    std::vector<Migration> out;
    for (const auto& file : files) out.push_back({group + "__" + file.stem().string(), read_file(file), {}, group});
    return out;
}

// What one engine said of one migration checked alone.
struct Verdict {
    std::string sqlstate = "00000", message, detail, hint, context;
    bool operator==(const Verdict& o) const {
        return sqlstate == o.sqlstate && message == o.message && detail == o.detail && hint == o.hint &&
               context == o.context;
    }
};

std::string field(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The extension's verdict: its CONTEXT line is the first of the context, when it is the
// migration's (the rest is the PL/pgSQL function that called plan()).
Verdict extension_verdict(const json& j) {
    Verdict v;
    v.sqlstate = field(j, "sqlstate");
    v.message = field(j, "message");
    v.detail = field(j, "detail");
    v.hint = field(j, "hint");
    std::string context = field(j, "context");
    context = context.substr(0, context.find('\n'));
    if (context.rfind("migration \"", 0) == 0) v.context = context;
    return v;
}

struct ClientResult {
    Verdict verdict;
    bool refused = false;                            // the refusal (core::Error), not a parser error
    std::vector<core::CheckedStatement> statements;  // every SQL statement, when it parsed
};

ClientResult client_verdict(const core::JournalEntry& entry, const std::vector<core::Statement>& pieces) {
    ClientResult r;
    std::vector<core::MigrationToCheck> migrations{{&entry, &pieces}};
    try {
        r.statements = client::checked_statements(migrations);
        client::check_statements(migrations);
    } catch (const core::Error& e) {
        r.verdict = {core::sqlstate_of(e.kind()), e.what(), e.detail(), e.hint(), ""};
        r.refused = true;
    } catch (const client::Failure& f) {
        const auto& m = f.error();
        r.verdict = {m.sqlstate, m.message, m.detail, m.hint, m.context};
    }
    return r;
}

// The client's refusals as a case's "refused" expectations say them.
std::vector<std::string> refusals(const ClientResult& r) {
    std::vector<std::string> out;
    for (const auto& s : r.statements)
        if (s.verdict.cls != core::StatementClass::transactional)
            out.push_back("refused " + std::to_string(s.statement->number) + ":" + std::to_string(s.line()) + " " +
                          core::class_name(s.verdict.cls) + " " + s.verdict.reason);
    return out;
}

std::vector<std::string> client_says(const ClientResult& r) {
    if (r.verdict.sqlstate != "00000" && !r.refused) return {"error " + r.verdict.sqlstate + " " + r.verdict.message};
    std::vector<std::string> out = refusals(r);
    if (out.empty()) out.push_back("ok");
    return out;
}

void show(const char* who, const Verdict& v) {
    std::cout << "#   " << who << ": " << v.sqlstate;
    if (!v.message.empty()) std::cout << " " << v.message;
    std::cout << "\n";
    for (const auto* part : {&v.detail, &v.hint, &v.context}) {
        std::istringstream lines(*part);
        std::string line;
        while (std::getline(lines, line)) std::cout << "#     " << line << "\n";
    }
}

std::string summary(const ClientResult& r) {
    if (r.verdict.sqlstate == "00000") return "nothing refused";
    if (!r.refused) return "both raise " + r.verdict.sqlstate + " " + r.verdict.message;
    std::string out = "both refuse";
    const char* separator = " ";
    for (const auto& s : r.statements) {
        if (s.verdict.cls == core::StatementClass::transactional) continue;
        out +=
            separator + std::to_string(s.statement->number) + ":" + std::to_string(s.line()) + " " + s.verdict.reason;
        separator = ", ";
    }
    return out;
}

struct Tally {
    std::size_t migrations = 0, pieces = 0, sql_statements = 0, refused = 0, refused_migrations = 0, errors = 0;
    std::size_t disagreements = 0;
    std::map<std::string, std::size_t> by_class;
};

int compare(const std::vector<Migration>& migrations, const json& extension) {
    int failed = 0;
    std::map<std::string, Tally> tallies;
    std::vector<std::string> groups;
    for (const auto& m : migrations) {
        core::JournalEntry entry;
        entry.tag = m.tag;
        const std::vector<core::Statement> pieces = core::split_statements(m.text);
        const ClientResult client = client_verdict(entry, pieces);
        auto it = extension.find(m.tag);
        const bool present = it != extension.end() && it->is_object();
        const Verdict ext = present ? extension_verdict(*it) : Verdict{};
        Tally& t = tallies[m.group];
        ++t.migrations;
        t.pieces += pieces.size();
        t.sql_statements += client.statements.size();
        if (client.refused)
            ++t.refused_migrations;
        else if (client.verdict.sqlstate != "00000")
            ++t.errors;
        for (const auto& s : client.statements)
            if (s.verdict.cls != core::StatementClass::transactional) {
                ++t.refused;
                ++t.by_class[std::string(core::class_name(s.verdict.cls)) + " " + s.verdict.reason];
            }
        std::vector<std::string> problems;
        if (!present)
            problems.push_back("the extension gave no verdict");
        else if (!(ext == client.verdict))
            problems.push_back("the extension and the client disagree");
        if (m.group.empty()) {
            const std::vector<std::string> says = client_says(client);
            if (says != m.expect) {
                std::string text = "expected";
                for (const auto& e : m.expect) text += "\n#     " + e;
                text += "\n#   the client says";
                for (const auto& s : says) text += "\n#     " + s;
                problems.push_back(text);
            }
            if (problems.empty()) {
                std::cout << "ok - " << m.tag << ": " << summary(client) << "\n";
                continue;
            }
        } else {
            if (std::find(groups.begin(), groups.end(), m.group) == groups.end()) groups.push_back(m.group);
            if (problems.empty()) continue;
        }
        ++failed;
        ++t.disagreements;
        std::cout << "not ok - " << m.tag << "\n";
        for (const auto& p : problems) std::cout << "#   " << p << "\n";
        if (present) show("extension", ext);
        show("client", client.verdict);
    }
    const Tally& c = tallies[""];
    std::cout << "# cases: " << c.migrations << ", " << c.sql_statements << " SQL statements read by both parsers, "
              << c.refused << " refused, " << c.errors << " rejected by the parser\n";
    for (const auto& g : groups) {
        const Tally& t = tallies[g];
        // Each file that disagrees has its own "not ok" line; the corpus is summed up once.
        std::cout << (t.disagreements == 0 ? "ok - corpus " : "# corpus ") << g << ": " << t.migrations << " files, "
                  << t.pieces << " statements, " << t.sql_statements
                  << " SQL statements read by both parsers: " << t.refused << " refused in " << t.refused_migrations
                  << " files, " << t.errors << " rejected by the parser";
        if (t.disagreements > 0) std::cout << "; " << t.disagreements << " files judged differently";
        std::cout << "\n";
        for (const auto& [what, n] : t.by_class) std::cout << "#   " << n << " x " << what << "\n";
    }
    return failed;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        std::vector<std::string> args(argv + 1, argv + argc);
        if (args.size() < 2 || (args[0] != "migrations" && args[0] != "statements" && args[0] != "compare") ||
            (args[0] == "compare" && args.size() < 3)) {
            std::cerr << "usage: parser_verdicts migrations CASES [CORPUS_DIR...]\n"
                         "       parser_verdicts statements CASES\n"
                         "       parser_verdicts compare CASES [CORPUS_DIR...] EXTENSION_VERDICTS\n";
            return 2;
        }
        if (args[0] == "statements") {
            for (const auto& m : read_cases(args[1])) {
                core::JournalEntry entry;
                entry.tag = m.tag;
                const auto pieces = core::split_statements(m.text);
                for (const auto& s : client_verdict(entry, pieces).statements)
                    if (s.verdict.cls == core::StatementClass::transactional ||
                        s.verdict.cls == core::StatementClass::no_transaction_block)
                        std::cout
                            << json{{"tag", m.tag}, {"class", core::class_name(s.verdict.cls)}, {"sql", s.sql()}}.dump()
                            << "\n";
            }
            return 0;
        }
        const bool comparing = args[0] == "compare";
        std::vector<Migration> migrations = read_cases(args[1]);
        for (std::size_t i = 2; i < args.size() - (comparing ? 1 : 0); ++i) {
            auto corpus = read_corpus(args[i]);
            migrations.insert(migrations.end(), corpus.begin(), corpus.end());
        }
        if (!comparing) {
            json out = json::object();
            for (const auto& m : migrations) out[m.tag] = m.text;
            std::cout << out.dump() << "\n";
            return 0;
        }
        const json extension = json::parse(read_file(args.back()));
        return compare(migrations, extension) == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "parser_verdicts: " << e.what() << "\n";
        return 2;
    }
}
