# Proven re-offending per arm with data.table: the same computation as
#   pilot-eval reoffending --cases DIR/cases.csv --offences DIR/offences.csv --by arm
# (365-day follow-up, 183-day waiting period, as_of = latest disposal date). No input validation.
# Usage: Rscript bench/reoffending.R DIR   -> per-arm CSV on stdout
suppressPackageStartupMessages(library(data.table))
dir <- commandArgs(TRUE)[1]
FU <- 365L; WAIT <- 183L
cases <- fread(file.path(dir, "cases.csv"), select = c("id", "arm", "start_date"))
off <- fread(file.path(dir, "offences.csv"), select = c("id", "offence_date", "disposal_date", "disposal_type", "severity"))
cases[, s := as.integer(as.IDate(start_date))]
off[, `:=`(od = as.integer(as.IDate(offence_date)), dd = as.integer(as.IDate(disposal_date)))]
as_of <- max(off$dd)
off[cases, s := i.s, on = "id"]
off <- off[od > s & od <= s + FU & !(disposal_type %in% c("breach", "other")) & dd <= s + FU + WAIT]
per <- off[, .(reoffences = .N, first = min(od), sev = sum(severity)), by = id]
cases[, measurable := as_of >= s + FU + WAIT]
cases[per, `:=`(reoffences = i.reoffences, days = i.first - s, sev = i.sev), on = "id"]
cases[is.na(reoffences), `:=`(reoffences = 0L, sev = 0)]
res <- cases[measurable == TRUE, .(
  n_measurable = .N,
  reoffenders = sum(reoffences > 0),
  reoffences = sum(reoffences),
  median_days_to_first = as.numeric(median(days[reoffences > 0])),
  severity_per_offender = mean(sev)
), keyby = arm]
res <- cases[, .(n_cohort = .N), keyby = arm][res, on = "arm"]
res[, `:=`(n_pending = n_cohort - n_measurable, binary_rate = reoffenders / n_measurable,
           frequency_per_offender = reoffences / n_measurable, frequency_per_reoffender = reoffences / reoffenders)]
fwrite(res[, .(arm, n_cohort, n_measurable, n_pending, reoffenders, binary_rate, reoffences, frequency_per_offender,
               frequency_per_reoffender, median_days_to_first, severity_per_offender)], "")
