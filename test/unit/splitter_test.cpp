// Splitting byte for byte as Drizzle does (DESIGN section 2): on the literal marker only, pieces
// untrimmed, blank and comment-only pieces skipped, numbers and lines for error messages.
#include "core/splitter.hpp"

#include <string>
#include <vector>

#include "core_test_support.hpp"

namespace trovella::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kMarker(kBreakpoint);
const std::string kBom(kUtf8Bom);

std::vector<std::string> sqls(const std::vector<Statement>& statements) {
    std::vector<std::string> out;
    for (const auto& s : statements) out.emplace_back(s.sql);
    return out;
}

std::vector<int> numbers(const std::vector<Statement>& statements) {
    std::vector<int> out;
    for (const auto& s : statements) out.push_back(s.number);
    return out;
}

std::vector<int> lines(const std::vector<Statement>& statements) {
    std::vector<int> out;
    for (const auto& s : statements) out.push_back(s.line);
    return out;
}

// Every statement must be a view into the text at its offset (no copy, no trimming).
void expect_views_into(const std::string& text, const std::vector<Statement>& statements) {
    for (const auto& s : statements) {
        EXPECT_EQ(s.sql.data(), text.data() + s.offset) << "statement " << s.number;
        EXPECT_EQ(text.substr(s.offset, s.sql.size()), s.sql) << "statement " << s.number;
    }
}

// ---- the marker ----------------------------------------------------------------------------

TEST(Splitter, SplitsTheWikiExample) {
    const std::string text =
        "ALTER TABLE \"ai_usage\" ADD COLUMN IF NOT EXISTS \"correlation_id\" uuid\n"
        "  DEFAULT gen_random_uuid() NOT NULL;--> statement-breakpoint\n"
        "ALTER TABLE \"ai_usage\" ADD COLUMN IF NOT EXISTS \"embedding_count\" integer;--> statement-breakpoint\n"
        "CREATE INDEX IF NOT EXISTS \"ai_usage_correlationId_idx\"\n"
        "  ON \"ai_usage\" USING btree (\"correlation_id\");";
    auto statements = split_statements(text);
    EXPECT_THAT(sqls(statements),
                ElementsAre("ALTER TABLE \"ai_usage\" ADD COLUMN IF NOT EXISTS \"correlation_id\" uuid\n"
                            "  DEFAULT gen_random_uuid() NOT NULL;",
                            "\nALTER TABLE \"ai_usage\" ADD COLUMN IF NOT EXISTS \"embedding_count\" integer;",
                            "\nCREATE INDEX IF NOT EXISTS \"ai_usage_correlationId_idx\"\n"
                            "  ON \"ai_usage\" USING btree (\"correlation_id\");"));
    EXPECT_THAT(numbers(statements), ElementsAre(1, 2, 3));
    EXPECT_THAT(lines(statements), ElementsAre(1, 3, 4));
    expect_views_into(text, statements);
}

TEST(Splitter, MarkerOnTheSameLineAsTheSemicolon) {
    const std::string text = "a;--> statement-breakpoint\nb";
    auto statements = split_statements(text);
    EXPECT_THAT(sqls(statements), ElementsAre("a;", "\nb"));
    EXPECT_THAT(lines(statements), ElementsAre(1, 2));
    EXPECT_EQ(statements.at(1).offset, 2 + kMarker.size());
    expect_views_into(text, statements);
}

TEST(Splitter, TextWithoutMarkerIsOneStatement) {
    const std::string text = "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n";
    auto statements = split_statements(text);
    EXPECT_THAT(sqls(statements), ElementsAre(text));
    EXPECT_EQ(statements.at(0).offset, 0u);
}

TEST(Splitter, SplitsOnTheLiteralMarkerOnly) {
    // Near misses do not split: the marker is matched byte for byte, case and spacing included.
    for (const char* near_miss : {"-->statement-breakpoint", "-->  statement-breakpoint", "--> Statement-Breakpoint",
                                  "-- > statement-breakpoint", "--> statement breakpoint", "-- statement-breakpoint",
                                  "--> statement-\nbreakpoint"}) {
        const std::string text = std::string("a;") + near_miss + "\nb;";
        EXPECT_THAT(sqls(split_statements(text)), ElementsAre(text)) << near_miss;
    }
    // ...and the marker splits wherever it is, even glued to more text.
    EXPECT_THAT(sqls(split_statements("a;--> statement-breakpoints\nb;")), ElementsAre("a;", "s\nb;"));
}

TEST(Splitter, TrailingMarkerAddsNoStatement) {
    EXPECT_THAT(sqls(split_statements("a;--> statement-breakpoint")), ElementsAre("a;"));
    EXPECT_THAT(sqls(split_statements("a;--> statement-breakpoint\n")), ElementsAre("a;"));
    EXPECT_THAT(sqls(split_statements("a;\n--> statement-breakpoint\r\n\r\n")), ElementsAre("a;\n"));
}

TEST(Splitter, LeadingMarkerAddsNoStatement) {
    auto statements = split_statements("--> statement-breakpoint\na;");
    EXPECT_THAT(sqls(statements), ElementsAre("\na;"));
    EXPECT_THAT(numbers(statements), ElementsAre(1));
    EXPECT_THAT(lines(statements), ElementsAre(2));
}

// ---- pieces that are not sent ----------------------------------------------------------------

TEST(Splitter, EmptyWhitespaceAndCommentOnlyPiecesAreSkippedAndNumberingStaysDense) {
    const std::string text = "a;" + kMarker +           // 1
                             kMarker +                  // empty
                             " \t\r\n\f\v" + kMarker +  // whitespace only
                             "-- x" + kMarker +         // line comment without newline
                             "\n-- x\n-- y\n" + kMarker + "/* x */" + kMarker + "/* /* */ */" +
                             kMarker +                                                 // nested block comment
                             "\n  /* a */ -- b\n\t/**/ " + kMarker + "b;" + kMarker +  // 2
                             "\n\nc;";                                                 // 3
    auto statements = split_statements(text);
    EXPECT_THAT(sqls(statements), ElementsAre("a;", "b;", "\n\nc;"));
    EXPECT_THAT(numbers(statements), ElementsAre(1, 2, 3));
    expect_views_into(text, statements);
}

TEST(Splitter, OnlyMarkersGiveNoStatements) {
    EXPECT_TRUE(split_statements(kMarker + kMarker + "\n" + kMarker).empty());
}

TEST(Splitter, NoTextGivesNoStatements) {
    EXPECT_TRUE(split_statements("").empty());
    EXPECT_TRUE(split_statements(kBom).empty());
    EXPECT_TRUE(split_statements(kBom + "\n  \n").empty());
    EXPECT_TRUE(split_statements("-- generated by hand, nothing to do\n").empty());
}

TEST(Splitter, UnterminatedBlockCommentIsSentSoTheServerReportsIt) {
    EXPECT_THAT(sqls(split_statements("a;--> statement-breakpoint\n/* never closed")),
                ElementsAre("a;", "\n/* never closed"));
    // Block comments nest as in PostgreSQL: one close for two opens leaves it open.
    EXPECT_THAT(sqls(split_statements("/* /* */")), ElementsAre("/* /* */"));
    EXPECT_THAT(sqls(split_statements("/*/")), ElementsAre("/*/"));
}

TEST(Splitter, CommentFollowedByStatementIsSent) {
    auto statements = split_statements("-- add a column\nALTER TABLE t ADD c int;");
    EXPECT_THAT(sqls(statements), ElementsAre("-- add a column\nALTER TABLE t ADD c int;"));
}

// ---- no awareness of quotes, dollar quotes or comments ----------------------------------------

TEST(Splitter, DollarBodiesAndQuotedSemicolonsStayWhole) {
    const std::string body =
        "DO $$ BEGIN\n"
        "  CREATE TYPE \"public\".\"role\" AS ENUM('admin', 'user');\n"
        "EXCEPTION\n"
        "  WHEN duplicate_object THEN null;\n"
        "END $$;";
    const std::string quoted = "\nINSERT INTO t VALUES ('a; b; statement-breakpoint; --> not quite');";
    const std::string tagged = "\nCREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql;";
    const std::string text = body + kMarker + quoted + kMarker + tagged;  // the statements view into it
    auto statements = split_statements(text);
    EXPECT_THAT(sqls(statements), ElementsAre(body, quoted, tagged));
}

TEST(Splitter, MarkerInsideAStringStillSplitsAsInDrizzle) {
    auto statements = split_statements("SELECT '--> statement-breakpoint';");
    EXPECT_THAT(sqls(statements), ElementsAre("SELECT '", "';"));
    auto in_body = split_statements("DO $$ BEGIN --> statement-breakpoint\nEND $$;");
    EXPECT_THAT(sqls(in_body), ElementsAre("DO $$ BEGIN ", "\nEND $$;"));
}

TEST(Splitter, PiecesAreNotTrimmed) {
    const std::string text = "  a;  \n" + kMarker + "\t b;\r\n" + kMarker + "\r\n c; -- trailing\n";
    auto statements = split_statements(text);
    EXPECT_THAT(sqls(statements), ElementsAre("  a;  \n", "\t b;\r\n", "\r\n c; -- trailing\n"));
    expect_views_into(text, statements);
}

// ---- lines --------------------------------------------------------------------------------------

TEST(Splitter, LineIsThatOfTheFirstNonWhitespaceByte) {
    const std::string text = "\n\n  a;\n" + kMarker + "\n\n\n\tb;" + kMarker + "c;" + kMarker + "\n-- note\nd;";
    auto statements = split_statements(text);
    EXPECT_THAT(lines(statements), ElementsAre(3, 7, 7, 8));
    EXPECT_EQ(statements.at(0).offset, 0u) << "the offset is the piece's, leading whitespace included";
}

TEST(Splitter, CrlfLinesCountLikeLf) {
    const std::string lf = "a;\n" + kMarker + "\n\nb;\n" + kMarker + "\nc;";
    const std::string crlf = "a;\r\n" + kMarker + "\r\n\r\nb;\r\n" + kMarker + "\r\nc;";
    EXPECT_THAT(lines(split_statements(lf)), ElementsAre(1, 4, 6));
    EXPECT_THAT(lines(split_statements(crlf)), ElementsAre(1, 4, 6));
}

TEST(Splitter, LinesAreCountedAcrossSkippedPieces) {
    const std::string text = "a;" + kMarker + "\n-- x\n-- y\n" + kMarker + "\n\nb;";
    EXPECT_THAT(lines(split_statements(text)), ElementsAre(1, 6));
}

// ---- byte order mark --------------------------------------------------------------------------

TEST(Splitter, LeadingBomIsNotSentAndLinesAreUnchanged) {
    const std::string text = kBom + "CREATE TABLE a ();\n" + kMarker + "\nCREATE TABLE b ();";
    auto statements = split_statements(text);
    EXPECT_THAT(sqls(statements), ElementsAre("CREATE TABLE a ();\n", "\nCREATE TABLE b ();"));
    EXPECT_EQ(statements.at(0).offset, 3u);
    EXPECT_THAT(lines(statements), ElementsAre(1, 3));
    expect_views_into(text, statements);

    EXPECT_THAT(lines(split_statements(kBom + "\n\nSELECT 1;")), ElementsAre(3));
}

TEST(Splitter, BomFollowedByMarkerOrBlankIsSkipped) {
    EXPECT_THAT(sqls(split_statements(kBom + kMarker + "a;")), ElementsAre("a;"));
    EXPECT_THAT(sqls(split_statements(kBom + "  " + kMarker + "a;")), ElementsAre("a;"));
}

TEST(Splitter, BomElsewhereIsLeftAlone) {
    // Only a leading mark is an editor's; anywhere else it is data, sent as is.
    const std::string text = "a;" + kMarker + kBom + "b;";
    EXPECT_THAT(sqls(split_statements(text)), ElementsAre("a;", kBom + "b;"));
    EXPECT_THAT(sqls(split_statements(kBom + kBom + "a;")), ElementsAre(kBom + "a;"));
}

// ---- is_blank_or_comment ------------------------------------------------------------------------

TEST(IsBlankOrComment, RecognisesWhitespaceAndCompleteComments) {
    for (const char* blank : {"", " ", "\t\r\n", "-- x", "--", "-- x\n  -- y\n", "/* x */", "/**/", "/* /* */ */",
                              "/* a */-- b\n/* c */", "/* -- */", "-- /*\n"}) {
        EXPECT_TRUE(is_blank_or_comment(blank)) << '"' << blank << '"';
    }
    for (const char* sent :
         {"a", " ;", "/* x", "/* /* */", "/*/", "/* a */ */", "- x", "-- x\nSELECT 1", "/* x */ SELECT 1", "*/"}) {
        EXPECT_FALSE(is_blank_or_comment(sent)) << '"' << sent << '"';
    }
}

// ---- statement_preview --------------------------------------------------------------------------

TEST(StatementPreview, FoldsWhitespaceAndComments) {
    EXPECT_EQ(statement_preview("\n  CREATE\tTABLE\r\n   \"users\" (id int);\n"), "CREATE TABLE \"users\" (id int);");
    EXPECT_EQ(statement_preview("-- generated\n/* by hand */CREATE TABLE t ();"), "CREATE TABLE t ();");
    EXPECT_EQ(statement_preview("SELECT/* x */1"), "SELECT 1");
    EXPECT_EQ(statement_preview("SELECT 1 - 2 / 3"), "SELECT 1 - 2 / 3");
    EXPECT_EQ(statement_preview(""), "");
    EXPECT_EQ(statement_preview("  \n-- only a comment\n"), "");
}

TEST(StatementPreview, CutsWithEllipsisOnlyWhenSomethingIsLeft) {
    const std::string sixty(60, 'x');
    EXPECT_EQ(statement_preview(sixty), sixty);
    EXPECT_EQ(statement_preview(sixty + "  \r\n"), sixty) << "trailing whitespace is not a cut";
    EXPECT_EQ(statement_preview(sixty + "y"), sixty + "...");
    EXPECT_EQ(statement_preview("SELECT 1234567890", 10), "SELECT 123...");
    EXPECT_EQ(statement_preview("SELECT 1", 0), "...");
}

TEST(StatementPreview, NeverLongerThanMaxCharsPlusEllipsis) {
    const std::string sql = "CREATE  TABLE \"a\"\n  ( id  int , name text ,  b  c  d  e  f );";
    for (std::size_t max = 0; max <= sql.size(); ++max) {
        const std::string preview = statement_preview(sql, max);
        EXPECT_LE(preview.size(), max + 3) << "max " << max << ": " << preview;
    }
    // A whitespace run folded to one space right at the limit must not push it over.
    const std::string run = std::string(59, 'a') + " b c";
    EXPECT_LE(statement_preview(run).size(), 63u) << statement_preview(run);
    EXPECT_EQ(statement_preview(run).substr(0, 59), std::string(59, 'a'));
}

TEST(StatementPreview, KeepsACompleteTrailingUtf8Character) {
    EXPECT_EQ(statement_preview("SELECT 'caf\xC3\xA9'"), "SELECT 'caf\xC3\xA9'");
    EXPECT_EQ(statement_preview("caf\xC3\xA9"), "caf\xC3\xA9");
    EXPECT_EQ(statement_preview("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");  // 4 bytes
    EXPECT_EQ(statement_preview("ab\xE2\x82\xAC", 5), "ab\xE2\x82\xAC");
}

TEST(StatementPreview, NeverCutsAUtf8Sequence) {
    // 2-, 3- and 4-byte characters at every alignment against every limit.
    const std::string sql =
        "INSERT INTO t VALUES ('\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\xF0\x9F\x98\x80 "
        "\xE6\x97\xA5\xE6\x9C\xAC');";
    const std::string whole = statement_preview(sql, 1000);
    ASSERT_EQ(whole, sql);
    for (std::size_t max = 0; max <= sql.size() + 1; ++max) {
        std::string preview = statement_preview(sql, max);
        EXPECT_TRUE(test::is_valid_utf8(preview)) << "max " << max;
        const bool cut = preview.size() >= 3 && preview.compare(preview.size() - 3, 3, "...") == 0;
        if (cut) preview.resize(preview.size() - 3);
        EXPECT_EQ(sql.compare(0, preview.size(), preview), 0) << "max " << max << ": not a prefix";
        EXPECT_EQ(cut, preview.size() < sql.size()) << "max " << max;
        EXPECT_GE(preview.size() + 3, std::min(max, sql.size())) << "max " << max << ": cut more than a character";
    }
}

}  // namespace
}  // namespace trovella::core

namespace trovella::core {
namespace {

TEST(LineOfCode, NamesTheLineOfALaterStatementInOnePiece) {
    // One piece (no markers) holding three statements; the third starts on line 5 of the file,
    // after a comment on line 4.
    const std::string text = "\n\nSELECT 1;\nSELECT 2; -- two\n/* three */\n  COMMIT;";
    auto statements = split_statements(text);
    ASSERT_EQ(statements.size(), 1u);
    EXPECT_EQ(statements[0].line, 3);
    const auto offset = static_cast<std::ptrdiff_t>(std::string_view(statements[0].sql).find("SELECT 2"));
    EXPECT_EQ(line_of_code(statements[0], offset), 4);
    const auto after_two = static_cast<std::ptrdiff_t>(std::string_view(statements[0].sql).find("; -- two") + 1);
    EXPECT_EQ(line_of_code(statements[0], after_two), 6);  // skips the comments to COMMIT
    EXPECT_EQ(line_of_code(statements[0], 0), 3);
}

}  // namespace
}  // namespace trovella::core
