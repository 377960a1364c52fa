#include "harness/report/table_layout.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <functional>

#include "harness/report/number_format.h"

namespace slim {
namespace {

// How one numeric column prints a Stat. Both formatters get the mean too, so the spread
// is printed with the mean's decimals (or SI unit).
struct NumberStyle {
  std::function<std::string(double mean)> mean;
  std::function<std::string(double spread, double mean)> spread;
  // Quantities that vary with the seed (accuracy, latency) always show their spread when
  // there are several seeds, even a zero one. Deterministic ones (size, MACs) show it only
  // when it is non-zero, so "± 0.0" does not clutter every row.
  bool spread_only_if_nonzero = false;
};

NumberStyle fixed_style(int decimals, bool spread_only_if_nonzero = false) {
  return {[decimals](double mean) { return format_fixed(mean, decimals); },
          [decimals](double spread, double) { return format_fixed(spread, decimals); },
          spread_only_if_nonzero};
}

// For differences: the mean carries a sign, its spread (not a difference) does not.
NumberStyle signed_style(int decimals) {
  return {[decimals](double mean) { return format_signed(mean, decimals); },
          [decimals](double spread, double) { return format_fixed(spread, decimals); }, false};
}

NumberStyle three_digit_style(bool spread_only_if_nonzero = false) {
  return {[](double mean) { return format_fixed(mean, decimals_for_three_digits(mean)); },
          [](double spread, double mean) {
            return format_fixed(spread, decimals_for_three_digits(mean));
          },
          spread_only_if_nonzero};
}

NumberStyle si_style() {
  return {[](double mean) { return format_si(mean, mean); },
          [](double spread, double mean) { return format_si(spread, mean); }, true};
}

Cell number_cell(const std::optional<Stat>& stat, const NumberStyle& style) {
  if (!stat) return {kMissingCell, "", false};
  Cell cell{style.mean(stat->mean), "", false};
  const bool show_spread = stat->n > 1 && (!style.spread_only_if_nonzero || stat->stddev > 0.0);
  if (show_spread) cell.spread = style.spread(stat->stddev, stat->mean);
  return cell;
}

Cell latency_cell(const LatencyStat& latency) {
  Cell cell = number_cell(latency.value, three_digit_style());
  cell.dagger = latency.value && latency.any_invalid;
  return cell;
}

Cell count_cell(const SummaryRow& row) {
  if (row.n_failed == 0 || row.n_ok == 0)
    return {fmt::format("{}", row.n_ok + row.n_failed), "", false};
  return {fmt::format("{} (+{} failed)", row.n_ok, row.n_failed), "", false};
}

std::vector<Cell> cells_for(const SummaryRow& row, bool with_large_batch) {
  std::vector<Cell> cells = {{row.model, "", false},
                             {row.pipeline, "", false},
                             {row.params, "", false},
                             {row.backend, "", false},
                             count_cell(row)};
  if (row.all_failed()) {
    cells.push_back({"failed", "", false});
  } else {
    cells.push_back(number_cell(row.top1_pct, fixed_style(2)));
  }
  cells.push_back(number_cell(row.delta_top1_pt, signed_style(2)));
  cells.push_back(number_cell(row.size_kib, fixed_style(1, true)));
  cells.push_back(number_cell(row.ratio, fixed_style(2, true)));
  cells.push_back(number_cell(row.macs, si_style()));
  cells.push_back(latency_cell(row.p50_b1_us));
  if (with_large_batch) cells.push_back(latency_cell(row.per_sample_large_batch_us));
  cells.push_back(number_cell(row.energy_uj, three_digit_style(true)));
  return cells;
}

std::vector<Column> columns_for(const SummaryTable& table) {
  std::vector<Column> columns = {
      {"Model", Align::left},         {"Pipeline", Align::left},     {"Params", Align::left},
      {"Backend", Align::left},       {"n", Align::right},           {"Top-1 (%)", Align::right},
      {"Δ top-1 (pt)", Align::right}, {"Size (KiB)", Align::right},  {"Ratio", Align::right},
      {"MACs", Align::right},         {"p50 b=1 (µs)", Align::right}};
  if (table.large_batch) {
    columns.push_back({fmt::format("per sample b={} (µs)", *table.large_batch), Align::right});
  }
  columns.push_back({"Energy (µJ)", Align::right});
  return columns;
}

std::vector<std::string> notes_for(const SummaryTable& table) {
  std::vector<std::string> notes;
  notes.push_back(
      "Mean ± sample standard deviation over seeds (n); failed jobs contribute no numbers.");
  if (!table.energy_sources.empty()) {
    notes.push_back(fmt::format("Energy: {}.", fmt::join(table.energy_sources, ", ")));
  }
  if (table.any_latency_invalid) {
    notes.push_back(
        "† At least one latency run missed its minimum duration or minimum count of timed "
        "runs; treat the value as indicative.");
  }
  return notes;
}

}  // namespace

TableLayout lay_out_table(const SummaryTable& table) {
  TableLayout layout;
  layout.columns = columns_for(table);
  for (const SummaryRow& row : table.rows) {
    layout.rows.push_back(cells_for(row, table.large_batch.has_value()));
  }
  layout.notes = notes_for(table);
  return layout;
}

}  // namespace slim
