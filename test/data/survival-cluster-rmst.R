# Data and reference values for the cluster-robust / stratified / Breslow Cox models, Kaplan-Meier
# at any day and the RMST difference (pilot-eval issues 14 and 15).
# Run from the repo root: Rscript test/data/survival-cluster-rmst.R > test/data/survival-cluster-rmst.out
# R 4.2.2, survival 3.5.3, carData 3.0-5. The pcp part needs the per-person outcomes first:
#   node bin/pilot-eval reoffending --cases fixtures/pcp/cases.csv --offences fixtures/pcp/offences.csv --out /tmp/pcp-out.csv
library(survival)
options(digits = 15, width = 200)

# survival::rats (Mantel et al. 1977): 3 rats per litter, one given the drug (rx = 1); time to tumour.
write.csv(rats, "test/data/rats.csv", row.names = FALSE)
# carData::Rossi (Rossi, Berk & Lenihan 1980): 432 released prisoners randomised to financial aid
# (fin = yes) or not; arrest within 52 weeks. Only the columns the tests use.
Rossi <- carData::Rossi
write.csv(Rossi[, c("week", "arrest", "fin", "age", "race", "wexp", "mar", "paro", "prio")], "test/data/rossi.csv", row.names = FALSE)
# survival::pbc, the 312 randomised patients, as survRM2::rmst2.sample.data() builds them
# (time in years, status 1 = death, arm 1 = D-penicillamine).
pbc312 <- pbc[1:312, c("time", "status", "trt")]
pbc312$time <- pbc312$time / 365.25
pbc312$status <- as.numeric(pbc312$status == 2)
pbc312$arm <- as.numeric(pbc312$trt == 1)
write.csv(pbc312[, c("time", "status", "arm")], "test/data/pbc-rmst.csv", row.names = FALSE)

robust <- function(fit) {
  s <- summary(fit)
  print(s$coefficients)
  print(s$conf.int)
  cat("robscore:", s$robscore, "\n")
}

cat("== rats: coxph(Surv(time, status) ~ rx, rats, cluster = litter)\n")
robust(coxph(Surv(time, status) ~ rx, rats, cluster = litter))
cat("== rats: coxph(Surv(time, status) ~ rx + sex, rats, cluster = litter)\n")
robust(coxph(Surv(time, status) ~ rx + sex, rats, cluster = litter))
cat("== rats: coxph(Surv(time, status) ~ rx, rats, cluster = litter, ties = 'breslow')\n")
robust(coxph(Surv(time, status) ~ rx, rats, cluster = litter, ties = "breslow"))
cat("== rats: coxph(Surv(time, status) ~ rx + strata(sex), rats, cluster = litter)\n")
robust(coxph(Surv(time, status) ~ rx + strata(sex), rats, cluster = litter))
cat("== rats: coxph(Surv(time, status) ~ rx + strata(sex), rats) (model-based)\n")
print(summary(coxph(Surv(time, status) ~ rx + strata(sex), rats))$coefficients)
cat("== rats: coxph(Surv(time, status) ~ rx + sex, rats, ties = 'breslow') (model-based)\n")
print(summary(coxph(Surv(time, status) ~ rx + sex, rats, ties = "breslow"))$coefficients)
cat("== rats: residuals(coxph(Surv(time, status) ~ rx + sex, rats), 'score')[1:6, ]\n")
print(residuals(coxph(Surv(time, status) ~ rx + sex, rats), "score")[1:6, ])

if (file.exists("/tmp/pcp-out.csv")) {
  d <- read.csv("/tmp/pcp-out.csv")
  d <- d[d$measurable == "yes" & d$withdrawn != "yes", ]
  d$time <- ifelse(d$reoffended == 1, d$days_to_reoffence, d$follow_up_days)
  d$treat <- as.integer(d$arm == "treatment")
  cat("== pcp: n", nrow(d), "teams", length(unique(d$team)), "\n")
  cat("== pcp: coxph(Surv(time, reoffended) ~ treat, d, cluster = team)\n")
  robust(coxph(Surv(time, reoffended) ~ treat, d, cluster = team))
  cat("== pcp: coxph(Surv(time, reoffended) ~ treat + age + ogrs3, d, cluster = team)\n")
  robust(coxph(Surv(time, reoffended) ~ treat + age + ogrs3, d, cluster = team))
  cat("== pcp: coxph(Surv(time, reoffended) ~ treat + strata(stratum), d)\n")
  print(summary(coxph(Surv(time, reoffended) ~ treat + strata(stratum), d))$coefficients)
  cat("== pcp: coxph(Surv(time, reoffended) ~ treat + strata(stratum), d, cluster = team)\n")
  robust(coxph(Surv(time, reoffended) ~ treat + strata(stratum), d, cluster = team))
  cat("== pcp: coxph(Surv(time, reoffended) ~ treat, d, ties = 'breslow')\n")
  print(summary(coxph(Surv(time, reoffended) ~ treat, d, ties = "breslow"))$coefficients)
}

cat("== Rossi: summary(survfit(Surv(week * 7, arrest) ~ fin, Rossi), times = c(90, 182, 364, 365), extend = TRUE)\n")
km <- summary(survfit(Surv(week * 7, arrest) ~ fin, Rossi), times = c(90, 182, 364, 365), extend = TRUE)
print(data.frame(strata = km$strata, time = km$time, n.risk = km$n.risk, surv = km$surv, std.err = km$std.err, lower = km$lower, upper = km$upper))

# RMST as survRM2::rmst1 computes it (survRM2 is not packaged for Debian): the area under the KM
# curve up to tau, with variance sum over KM times t_j <= tau of A_j^2 d_j / (n_j (n_j - d_j)),
# A_j the area under the curve from t_j to tau (0 where n_j = d_j).
rmst1 <- function(time, status, tau) {
  ft <- survfit(Surv(time, status) ~ 1)
  idx <- ft$time <= tau
  wk.time <- sort(c(ft$time[idx], tau))
  areas <- diff(c(0, wk.time)) * c(1, ft$surv[idx])
  v <- ifelse(ft$n.risk[idx] - ft$n.event[idx] == 0, 0, ft$n.event[idx] / (ft$n.risk[idx] * (ft$n.risk[idx] - ft$n.event[idx])))
  v <- c(v, 0)
  c(rmst = sum(areas), var = sum(cumsum(rev(areas[-1]))^2 * rev(v)[-1]))
}
rmst2 <- function(time, status, arm, tau) {
  a1 <- rmst1(time[arm == 1], status[arm == 1], tau)
  a0 <- rmst1(time[arm == 0], status[arm == 0], tau)
  diff <- a1[["rmst"]] - a0[["rmst"]]
  se <- sqrt(a1[["var"]] + a0[["var"]])
  c(rmst1 = a1[["rmst"]], rmst0 = a0[["rmst"]], diff = diff, se = se, lower = diff - qnorm(0.975) * se, upper = diff + qnorm(0.975) * se, p = 2 * pnorm(-abs(diff / se)))
}
cat("== pbc312 rmst2(time, status, arm, tau = 10) by hand (survRM2 vignette: -0.137 [-0.939, 0.665], p = 0.738)\n")
print(rmst2(pbc312$time, pbc312$status, pbc312$arm, 10))
cat("== pbc312 print(survfit(Surv(time, status) ~ arm, pbc312), rmean = 10) (cross-check of each arm's RMST)\n")
print(summary(survfit(Surv(time, status) ~ arm, pbc312), rmean = 10)$table[, c("rmean", "se(rmean)")])
cat("== Rossi rmst2(week * 7, arrest, fin == 'yes', tau = 364) and tau = 300\n")
print(rmst2(Rossi$week * 7, Rossi$arrest, as.numeric(Rossi$fin == "yes"), 364))
print(rmst2(Rossi$week * 7, Rossi$arrest, as.numeric(Rossi$fin == "yes"), 300))
v <- read.csv("test/data/veteran.csv")
cat("== veteran rmst2(time, status, trt == 2, tau = 999) (both arms end in a death: tau up to the longer follow-up) and tau = 182\n")
print(rmst2(v$time, v$status, as.numeric(v$trt == 2), 999))
print(rmst2(v$time, v$status, as.numeric(v$trt == 2), 182))
