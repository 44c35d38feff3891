// Every loop of the core whose length the input decides calls the host's interrupt check, so a
// cancel or statement_timeout stops a huge input promptly (in the extension the check throws).
#include "core/interrupts.hpp"

#include <nlohmann/json.hpp>
#include <string>

#include "core/journal.hpp"
#include "core/migration_texts.hpp"
#include "core/planner.hpp"
#include "core/splitter.hpp"
#include "core_test_support.hpp"

namespace trovella::core {
namespace {

struct Cancelled {};

int calls = 0;
int cancel_after = 0;
void counting_check() {
    if (++calls > cancel_after) throw Cancelled{};
}

// Installs counting_check for one test; cancels after `after` checks.
class WithCheck {
public:
    explicit WithCheck(int after) {
        calls = 0;
        cancel_after = after;
        previous_ = set_interrupt_check(&counting_check);
    }
    ~WithCheck() { set_interrupt_check(previous_); }

private:
    InterruptCheck previous_;
};

std::string journal_of(int n) {
    nlohmann::json entries = nlohmann::json::array();
    for (int i = 0; i < n; ++i)
        entries.push_back({{"idx", i}, {"when", 1000 + i}, {"tag", "m" + std::to_string(i)}});
    return nlohmann::json{{"entries", entries}}.dump();
}

TEST(Interrupts, NoCheckInstalledIsANoOp) {
    InterruptCheck previous = set_interrupt_check(nullptr);
    EXPECT_NO_THROW(check_interrupts());
    set_interrupt_check(previous);
}

TEST(Interrupts, JournalParsingIsCancellable) {
    std::string text = journal_of(5000);
    WithCheck check(10);
    EXPECT_THROW(parse_journal(text), Cancelled);
}

TEST(Interrupts, JsonParsingItselfIsCancellableInsideOneHugeValue) {
    // One 4 MB string: no loop of the core runs before the parser is done with it.
    std::string text = R"({"0000_a": ")" + std::string(4 << 20, 'x') + R"("})";
    WithCheck check(2);
    EXPECT_THROW(parse_migration_texts(text), Cancelled);
}

TEST(Interrupts, MigrationTextsParsingIsCancellable) {
    nlohmann::json texts;
    for (int i = 0; i < 5000; ++i) texts["m" + std::to_string(i)] = "SELECT 1;";
    std::string text = texts.dump();
    WithCheck check(10);
    EXPECT_THROW(parse_migration_texts(text), Cancelled);
}

TEST(Interrupts, OrphanCheckIsCancellable) {
    Journal journal = parse_journal(journal_of(10));
    MigrationTexts texts;
    for (int i = 0; i < 5000; ++i) texts.emplace("orphan" + std::to_string(i), "");
    WithCheck check(10);
    EXPECT_THROW(orphan_tags(journal, texts), Cancelled);
}

TEST(Interrupts, AssessIsCancellable) {
    Journal journal = parse_journal(journal_of(5000));
    std::vector<TrackingRow> rows;
    WithCheck check(10);
    EXPECT_THROW(assess(journal, rows, nullptr), Cancelled);
}

TEST(Interrupts, SplittingIsCancellable) {
    std::string text;
    for (int i = 0; i < 5000; ++i) text += "SELECT 1;--> statement-breakpoint\n";
    WithCheck check(10);
    EXPECT_THROW(split_statements(text), Cancelled);
}

TEST(Interrupts, NothingIsCancelledWhenTheCheckLetsItRun) {
    std::string text = journal_of(100);
    WithCheck check(1 << 30);
    EXPECT_EQ(parse_journal(text).entries.size(), 100u);
    EXPECT_GE(calls, 100);  // called at least once per entry
}

}  // namespace
}  // namespace trovella::core
