# Proven re-offending per arm with readr + dplyr: the same computation as bench/reoffending.R and
#   pilot-eval reoffending --cases DIR/cases.csv --offences DIR/offences.csv --by arm
# Usage: Rscript bench/reoffending-dplyr.R DIR   -> per-arm CSV on stdout
suppressPackageStartupMessages({ library(readr); library(dplyr) })
dir <- commandArgs(TRUE)[1]
FU <- 365L; WAIT <- 183L
cases <- read_csv(file.path(dir, "cases.csv"), col_types = cols_only(id = "c", arm = "c", start_date = col_date()), progress = FALSE)
off <- read_csv(file.path(dir, "offences.csv"), progress = FALSE,
                col_types = cols_only(id = "c", offence_date = col_date(), disposal_date = col_date(), disposal_type = "c", severity = "d"))
cases <- mutate(cases, s = as.integer(start_date))
off <- mutate(off, od = as.integer(offence_date), dd = as.integer(disposal_date))
as_of <- max(off$dd)
per <- off |>
  inner_join(select(cases, id, s), by = "id") |>
  filter(od > s, od <= s + FU, !(disposal_type %in% c("breach", "other")), dd <= s + FU + WAIT) |>
  group_by(id) |>
  summarise(reoffences = n(), first = min(od), sev = sum(severity), .groups = "drop")
res <- cases |>
  left_join(per, by = "id") |>
  mutate(measurable = as_of >= s + FU + WAIT, n_off = coalesce(reoffences, 0L), sev = coalesce(sev, 0), days = first - s) |>
  group_by(arm) |>
  summarise(
    n_cohort = n(),
    n_measurable = sum(measurable),
    n_pending = n_cohort - n_measurable,
    reoffenders = sum(measurable & n_off > 0),
    binary_rate = reoffenders / n_measurable,
    reoffences = sum(n_off[measurable]),
    frequency_per_offender = reoffences / n_measurable,
    frequency_per_reoffender = reoffences / reoffenders,
    median_days_to_first = as.numeric(median(days[measurable & n_off > 0])),
    severity_per_offender = mean(sev[measurable]),
    .groups = "drop"
  ) |>
  arrange(arm)
write.csv(as.data.frame(res), stdout(), row.names = FALSE)
