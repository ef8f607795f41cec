# Proven re-offending per arm with data.table: the same computation as
#   pilot-eval reoffending --cases DIR/cases.csv --offences DIR/offences.csv --by arm
# (365-day follow-up, 183-day waiting period, as_of = latest disposal date). No input validation.
# Usage: Rscript bench/reoffending.R DIR   -> per-arm CSV on stdout
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "proven-dt.R"))
dir <- commandArgs(TRUE)[1]
d <- proven_dt(dir, c("id", "arm", "start_date"), c("id", "offence_date", "disposal_date", "disposal_type", "severity"))
cases <- d$cases; off <- d$off; as_of <- d$as_of
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
