# Shared by bench/reoffending.R, bench/analyse.R and bench/survival.R: read the two files with
# data.table and keep the proven re-offences by the MoJ rule (offence after the start date and within
# the 365-day follow-up, not a breach or `other` disposal, proven within a further 183 days).
# as_of is the latest disposal date (pilot-eval's default). No input validation.
suppressPackageStartupMessages(library(data.table))
FU <- 365L; WAIT <- 183L
proven_dt <- function(dir, case_cols, offence_cols = c("id", "offence_date", "disposal_date", "disposal_type")) {
  cases <- fread(file.path(dir, "cases.csv"), select = case_cols)
  off <- fread(file.path(dir, "offences.csv"), select = offence_cols)
  cases[, s := as.integer(as.IDate(start_date))]
  off[, `:=`(od = as.integer(as.IDate(offence_date)), dd = as.integer(as.IDate(disposal_date)))]
  as_of <- max(off$dd)
  off[cases, s := i.s, on = "id"]
  off <- off[od > s & od <= s + FU & !(disposal_type %in% c("breach", "other")) & dd <= s + FU + WAIT]
  list(cases = cases, off = off, as_of = as_of)
}
