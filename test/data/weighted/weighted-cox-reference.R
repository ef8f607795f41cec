# Weighted Cox regression, the reference values of src/core/stats/cox-weighted.test.ts (R 4.2.2,
# survival). Rossi (test/data/rossi.csv) with non-integer case weights w = 1 + 0.5 * (row mod 3)
# and a pseudo matched set = (row - 1) %/% 4 + 1 (sets of 4 consecutive rows).
# Run from test/data/weighted: Rscript weighted-cox-reference.R > weighted-cox-reference.out
suppressMessages(library(survival))
options(digits = 15)
r <- read.csv("../rossi.csv")
r$fin <- as.integer(r$fin == "yes")
r$w <- 1 + 0.5 * (seq_len(nrow(r)) %% 3)
r$set <- (seq_len(nrow(r)) - 1) %/% 4 + 1
show <- function(label, fit) {
  s <- summary(fit)
  cat(sprintf("%s: coef %.15g se %.15g robust %.15g loglik %.15g %.15g robscore %.15g\n", label, coef(fit)[1],
              sqrt(fit$naive.var[1, 1]), sqrt(vcov(fit)[1, 1]), fit$loglik[1], fit$loglik[2], s$robscore["test"]))
}
show("efron_robust", coxph(Surv(week, arrest) ~ fin + age, data = r, weights = w, robust = TRUE))
show("breslow_robust", coxph(Surv(week, arrest) ~ fin + age, data = r, weights = w, robust = TRUE, ties = "breslow"))
show("efron_cluster", coxph(Surv(week, arrest) ~ fin, data = r, weights = w, cluster = set))
# The same as a trial file for analyse --weights (weeks as days; subclass = the sets):
write.csv(data.frame(id = seq_len(nrow(r)), arm = ifelse(r$fin == 1, "treatment", "control"), age = r$age,
                     reoffended = r$arrest, days_to_reoffence = ifelse(r$arrest == 1, r$week, NA), follow_up_days = 52,
                     weight = r$w, subclass = r$set), "rossi-weighted-trial.csv", row.names = FALSE, na = "")
show("arm_only_robust", coxph(Surv(week, arrest) ~ fin, data = r, weights = w, robust = TRUE))
tr <- read.csv("rossi-weighted-trial.csv"); tr$subclass <- NULL
write.csv(tr, "rossi-weighted-nosets-trial.csv", row.names = FALSE, na = "")
# Weighted Kaplan-Meier (robust, infinitesimal jackknife SE, R's default for non-integer weights):
km <- function(label, f, times) {
  s <- summary(f, times = times, extend = TRUE)
  cat(sprintf("%s: surv %s se %s lower %s upper %s\n", label, paste(sprintf("%.15g", s$surv), collapse = ","),
              paste(sprintf("%.15g", s$std.err), collapse = ","), paste(sprintf("%.15g", s$lower), collapse = ","),
              paste(sprintf("%.15g", s$upper), collapse = ",")))
}
km("km_all", survfit(Surv(week, arrest) ~ 1, data = r, weights = w), c(10, 52))
km("km_fin1_cluster", survfit(Surv(week, arrest) ~ 1, data = r[r$fin == 1, ], weights = w, cluster = set), c(30, 52))
km("km_fin0", survfit(Surv(week, arrest) ~ 1, data = r[r$fin == 0, ], weights = w), c(30, 52))
