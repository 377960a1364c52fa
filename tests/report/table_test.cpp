// summarize_records and the three table renderers, on records with known numbers.
#include "harness/report/table.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <string>

#include "harness/report/summary.h"
#include "harness/report/text_escape.h"
#include "tests/io/temp_dir.h"
#include "tests/report/sample_records.h"

namespace slim {
namespace {

using nlohmann::json;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Group "g1": 3 seeds with accuracy 0.91 / 0.92 / 0.93 (mean 92.00 %, sample std 1.00
// point) and batch-1 p50 10 / 12 / 14 µs (mean 12.0, std 2.0), one of them invalid.
// Group "g2": one seed, unpruned. Group "g3": its only job failed.
std::vector<json> three_groups() {
  std::vector<json> records;
  const double p50s[] = {10, 12, 14};
  for (int seed = 0; seed < 3; ++seed) {
    json record = test::sample_record(fmt::format("a{}", seed), "g1", seed, 0.91 + 0.01 * seed);
    const std::vector<double> b1(9, p50s[seed]);
    const std::vector<double> b64(9, 64 * 2.0);
    record["metrics"]["latency"] = {test::latency_entry(1, b1, seed != 2),
                                    test::latency_entry(64, b64)};
    records.push_back(record);
  }
  json dense = test::sample_record("b0", "g2", 0, 0.92);
  dense["labels"]["pipeline"] = "none";
  dense["labels"]["params"] = "";
  dense["metrics"]["size_bytes"] = 247000;
  dense["metrics"]["compression_ratio"] = 1.0;
  records.push_back(dense);
  records.push_back(test::failed_record("c0", "g3", 0));
  return records;
}

TEST_CASE("summary: records of one group aggregate to mean and sample std over seeds") {
  const SummaryTable table = summarize_records(three_groups());
  REQUIRE(table.rows.size() == 3);
  const SummaryRow& row = table.rows[0];
  CAPTURE(row.group_id, row.n_ok, row.top1_pct->mean, row.top1_pct->stddev);
  REQUIRE(row.group_id == "g1");
  REQUIRE(row.n_ok == 3);
  REQUIRE(row.top1_pct->mean == Approx(92.0));
  REQUIRE(row.top1_pct->stddev == Approx(1.0));
  REQUIRE(row.delta_top1_pt->mean == Approx(0.0).margin(1e-9));
  REQUIRE(row.delta_top1_pt->stddev == Approx(1.0));
  CAPTURE(row.p50_b1_us.value->mean, row.p50_b1_us.value->stddev);
  REQUIRE(row.p50_b1_us.value->mean == Approx(12.0));
  REQUIRE(row.p50_b1_us.value->stddev == Approx(2.0));
  REQUIRE(row.p50_b1_us.any_invalid);
  REQUIRE(table.large_batch == 64);
  REQUIRE(row.per_sample_large_batch_us.value->mean == Approx(2.0));
  REQUIRE_FALSE(row.per_sample_large_batch_us.any_invalid);
  REQUIRE(row.size_kib->mean == Approx(61890.0 / 1024));
  REQUIRE(row.energy_uj->mean == Approx(1.2));
  REQUIRE(table.energy_sources == std::vector<std::string>{"model-horowitz45"});

  REQUIRE(table.rows[1].n_ok == 1);
  REQUIRE(table.rows[1].top1_pct->stddev == 0.0);
  REQUIRE(table.rows[2].all_failed());
  REQUIRE(table.rows[2].n_failed == 1);
  REQUIRE_FALSE(table.rows[2].top1_pct.has_value());
}

TEST_CASE("summary: rows keep the order in which their groups were first seen") {
  std::vector<json> records = {test::sample_record("x", "gB", 0, 0.9),
                               test::sample_record("y", "gA", 0, 0.9),
                               test::sample_record("z", "gB", 1, 0.9)};
  const SummaryTable table = summarize_records(records);
  REQUIRE(table.rows.size() == 2);
  REQUIRE(table.rows[0].group_id == "gB");
  REQUIRE(table.rows[0].n_ok == 2);
  REQUIRE(table.rows[1].group_id == "gA");
}

TEST_CASE("markdown: mean and std with several seeds and daggers on invalid latency") {
  const std::string markdown = table_markdown(summarize_records(three_groups()));
  INFO(markdown);
  REQUIRE(
      contains(markdown, "| Model | Pipeline | Params | Backend | n | Top-1 (%) | Δ top-1 (pt) |"));
  REQUIRE(contains(markdown, "| per sample b=64 (µs) | Energy (µJ) |"));
  REQUIRE(contains(
      markdown,
      "| lenet-5 | int8-weight | bits=8 | openblas | 3 | 92.00 ± 1.00 | +0.00 ± 1.00 | 60.4 "
      "| 3.99 | 416.5K | 12.0 ± 2.0† | 2.00 ± 0.00 | 1.20 |"));
  // One seed: the mean alone.
  REQUIRE(
      contains(markdown, "| lenet-5 | none |  | openblas | 1 | 92.00 | +0.00 | 241.2 | 1.00 |"));
  REQUIRE(contains(markdown, "| 1 | failed | – |"));
  REQUIRE(contains(markdown, "Energy: model-horowitz45."));
  REQUIRE(contains(markdown, "† At least one latency run missed"));
}

TEST_CASE("markdown: the per-sample column is omitted when only batch 1 was measured") {
  json record = test::sample_record("a", "g", 0, 0.9);
  record["metrics"]["latency"] = {test::latency_entry(1, std::vector<double>(9, 5.0))};
  const std::string markdown = table_markdown(summarize_records({record}));
  INFO(markdown);
  REQUIRE_FALSE(contains(markdown, "per sample"));
  REQUIRE_FALSE(contains(markdown, "†"));
  REQUIRE(contains(markdown, "| 5.00 | 1.20 |"));
}

TEST_CASE("csv: RFC 4180 quoting of commas and quotes and plain numbers") {
  REQUIRE(csv_field("plain") == "plain");
  REQUIRE(csv_field("bits=4,group=64") == "\"bits=4,group=64\"");
  REQUIRE(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  REQUIRE(csv_field("two\nlines") == "\"two\nlines\"");

  std::vector<json> records = three_groups();
  records[0]["labels"]["params"] = "bits=4,group=\"64\"";
  const std::string csv = table_csv(summarize_records(records));
  INFO(csv);
  REQUIRE(csv.starts_with(
      "group_id,model,pipeline,params,backend,status,n,n_failed,top1_pct_mean,top1_pct_std,"));
  REQUIRE(contains(csv, ",p50_b1_us_mean,p50_b1_us_std,p50_b1_valid,per_sample_b64_us_mean,"));
  REQUIRE(
      contains(csv, "g1,lenet-5,int8-weight,\"bits=4,group=\"\"64\"\"\",openblas,ok,3,0,92,1,"));
  REQUIRE(contains(csv, ",12,2,false,2,0,"));
  // One seed: std is empty, not zero; a failed group has no numbers at all.
  REQUIRE(contains(csv, "g2,lenet-5,none,,openblas,ok,1,0,92,,"));
  REQUIRE(contains(csv, "g3,lenet-5,int8-weight,bits=8,openblas,failed,0,1,,,"));
  REQUIRE(contains(csv, "\r\n"));
}

TEST_CASE("latex: booktabs rules and escaping of _ % & #") {
  REQUIRE(latex_escape("a_b 50% R&D #1") == "a\\_b 50\\% R\\&D \\#1");
  REQUIRE(latex_escape("µs ± Δ") == "$\\mu$s $\\pm$ $\\Delta$");

  std::vector<json> records = three_groups();
  records[0]["labels"]["pipeline"] = "prune_50%";
  const std::string latex = table_latex(summarize_records(records));
  INFO(latex);
  REQUIRE(latex.starts_with("\\begin{tabular}{llllrrrrrrrrr}\n\\toprule\n"));
  REQUIRE(contains(latex, "\\midrule\n"));
  REQUIRE(contains(latex, "\\bottomrule\n"));
  REQUIRE(latex.ends_with("\\end{tabular}\n"));
  REQUIRE(contains(latex, "Top-1 (\\%) & $\\Delta$ top-1 (pt)"));
  REQUIRE(contains(latex, "lenet-5 & prune\\_50\\% & bits=8 & openblas & 3 & 92.00 $\\pm$ 1.00"));
  REQUIRE(contains(latex, "12.0 $\\pm$ 2.0$^\\dagger$"));
  REQUIRE(contains(latex, "\\multicolumn{13}{l}{\\footnotesize Energy: model-horowitz45.} \\\\"));
  REQUIRE_FALSE(contains(latex, "±"));
}

TEST_CASE("write_tables writes the three files into the run directory") {
  test::TempDir dir;
  write_tables(dir.path(), three_groups());
  const auto entries = dir.entries();
  CAPTURE(entries);
  REQUIRE(entries == std::vector<std::string>{"table.csv", "table.md", "table.tex"});
  REQUIRE(test::read_file_bytes(dir / "table.md") ==
          table_markdown(summarize_records(three_groups())));
}

}  // namespace
}  // namespace slim
