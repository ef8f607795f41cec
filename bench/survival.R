# The R pipeline that
#   pilot-eval analyse DIR/cases.csv --offences DIR/offences.csv --outcome days_to_reoffence \
#     --covariates age,ogrs3
# replaces, on the same files: data.table for reading and the proven re-offending derivation (as
# bench/reoffending.R), then the survival package: survfit (Kaplan-Meier by arm at days 90, 182 and
# 365), survdiff (log-rank) and coxph (Efron ties) adjusted for age and ogrs3. Time is the day of
# the first proven re-offence, or the 365-day follow-up for the rest (measurable people only).
# No input validation. Prints one JSON line of the key numbers so that bench/run.mjs can check
# them against pilot-eval (relative 1e-6; KM 1e-9).
# Usage: Rscript bench/survival.R DIR
suppressPackageStartupMessages(library(survival))
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "proven-dt.R"))
p <- proven_dt(commandArgs(TRUE)[1], c("id", "arm", "start_date", "age", "ogrs3"))
cases <- p$cases; off <- p$off; as_of <- p$as_of
first <- off[, .(first = min(od)), by = id]
d <- cases[as_of >= s + FU + WAIT]
d[first, first := i.first, on = "id"]
d[, event := as.integer(!is.na(first))]
d[, time := ifelse(event == 1L, first - s, FU)]
d[, treat := as.integer(arm == "treatment")]
km <- summary(survfit(Surv(time, event) ~ treat, data = d), times = c(90, 182, 365), extend = TRUE)
lr <- survdiff(Surv(time, event) ~ treat, data = d)
cx <- coxph(Surv(time, event) ~ treat + age + ogrs3, data = d, ties = "efron")
ctl <- km$strata == "treat=0"
cat(sprintf('{"km_control": [%s], "km_treatment": [%s], "logrank_chisq": %.12g, "logrank_p": %.12g, "hazard_ratio": %.12g, "log_hr_se": %.12g}\n',
  paste(sprintf("%.15g", km$surv[ctl]), collapse = ", "), paste(sprintf("%.15g", km$surv[!ctl]), collapse = ", "),
  lr$chisq, pchisq(lr$chisq, 1, lower.tail = FALSE), exp(coef(cx)[["treat"]]), sqrt(vcov(cx)["treat", "treat"])))
