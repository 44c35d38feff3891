// Which progress record ("partial" event) belongs to a migration (core/partial_progress.hpp): a
// 0.x journal entry by its created_at, a Drizzle 1.x folder by its name, never the record of
// another folder of its second, and a folder renamed by `drizzle-kit up` after an interrupted
// 0.x run by its second and its text.
#include "core/partial_progress.hpp"

#include <string>
#include <vector>

#include "core/folders.hpp"
#include "core/journal.hpp"
#include "core_test_support.hpp"

namespace trovella::core {
namespace {

const std::string kJournal0 = R"({"version":"7","dialect":"postgresql","entries":[
  {"idx":0,"version":"7","when":1796180621123,"tag":"0000_init","breakpoints":true},
  {"idx":1,"version":"7","when":1796180626456,"tag":"0001_index","breakpoints":true}]})";

TEST(PartialProgress, JournalEntryIsFoundByCreatedAt) {
    const Journal j = parse_journal(kJournal0);
    PartialProgress p;
    p.add(1796180626456, "0001_old_name", Progress{"h1", 2});
    p.add(1796180626456, "0001_index", Progress{"h1", 3});  // later: replaces the earlier
    EXPECT_EQ(p.find(j, j.entries[0]), nullptr);
    const Progress* found = p.find(j, j.entries[1]);
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->completed, 3);
    EXPECT_FALSE(p.empty());
    EXPECT_TRUE(PartialProgress().empty());
}

TEST(PartialProgress, FolderIsFoundByNameNotByItsSecond) {
    // Two folders of one second: a's record (a ran outside a transaction and finished) is not b's.
    const Journal j = journal_of_folders(std::vector<std::string>{"20261202030341_a", "20261202030341_b"});
    ASSERT_EQ(j.entries[0].when, j.entries[1].when);
    PartialProgress p;
    p.add(j.entries[0].when, "20261202030341_a", Progress{"ha", 4});
    const Progress* a = p.find(j, j.entries[0]);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->completed, 4);
    EXPECT_EQ(p.find(j, j.entries[1]), nullptr);
    EXPECT_EQ(p.find(j, j.entries[1], &a->hash), nullptr);
    p.add(j.entries[1].when, "20261202030341_b", Progress{"hb", 1});
    ASSERT_NE(p.find(j, j.entries[1]), nullptr);
    EXPECT_EQ(p.find(j, j.entries[1])->completed, 1);
    EXPECT_EQ(p.find(j, j.entries[0])->completed, 4);
}

TEST(PartialProgress, FolderRenamedByDrizzleKitUpKeepsItsProgress) {
    // 0001_index ran 2 statements under the 0.x journal (created_at with milliseconds), then the
    // folder was converted: 20261202030346_index has its text and resumes.
    const std::string folder = up_name("0001_index", 1796180626456);
    ASSERT_EQ(folder, "20261202030346_index");
    const Journal j = journal_of_folders(std::vector<std::string>{"20261202030341_init", folder});
    PartialProgress p;
    p.add(1796180626456, "0001_index", Progress{"h1", 2});
    const std::string same = "h1", edited = "h2";
    ASSERT_NE(p.find(j, j.entries[1]), nullptr);  // status without the texts
    EXPECT_EQ(p.find(j, j.entries[1])->completed, 2);
    ASSERT_NE(p.find(j, j.entries[1], &same), nullptr);
    EXPECT_EQ(p.find(j, j.entries[1], &edited), nullptr);  // another text: not known to be the same
    EXPECT_EQ(p.find(j, j.entries[0]), nullptr);           // another second
    // A record under a name that is still a folder belongs to that folder.
    const Journal both = journal_of_folders(std::vector<std::string>{folder, "20261202030346_zz"});
    PartialProgress q;
    q.add(1796180626000, "20261202030346_zz", Progress{"hz", 5});
    EXPECT_EQ(q.find(both, both.entries[0]), nullptr);
    // Two renamed candidates of one second: which is which is not known, neither is taken.
    PartialProgress r;
    r.add(1796180626456, "0001_index", Progress{"h1", 2});
    r.add(1796180626789, "0002_other", Progress{"h1", 3});
    EXPECT_EQ(r.find(j, j.entries[1]), nullptr);
}

}  // namespace
}  // namespace trovella::core
