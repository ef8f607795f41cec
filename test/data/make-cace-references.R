# Reference data and values for the complier average causal effect (CACE) tests
# (src/core/stats/iv-regression.test.ts, src/core/analysis/cace-effects.test.ts).
# Run from the repository root: Rscript test/data/make-cace-references.R
# (R 4.2.2, estimatr 1.0.0, AER 1.2-10, sandwich 3.0-2, jsonlite)
# Writes test/data/cace-sim.csv (when absent), test/data/cace-pcp.csv and test/data/cace-references.json.
#
# 1. cace-sim.csv: a simulated individually randomised trial with one-sided non-compliance (only
#    people allocated to the treatment can receive it; 30% of them never take it up, more often the
#    younger and higher-risk), written by the simulation below with set.seed(15).
# 2. cace-pcp.csv: the bundled pcp fixture (a cluster-randomised trial of probation teams), its
#    outcomes derived by
#      node bin/pilot-eval reoffending --cases fixtures/pcp/cases.csv --offences fixtures/pcp/offences.csv --out /tmp/cace-pcp-out.csv
#    and then the measurable, not withdrawn people kept (below).
#
# The estimator matched is estimatr::iv_robust (HC2 for individual designs, CR2 with Satterthwaite
# df for cluster designs, its defaults). Each case also checks that the 2SLS point estimate equals
# AER::ivreg's, and (no covariates) the Wald ratio of the ITT differences.
suppressMessages({library(estimatr); library(AER); library(sandwich); library(jsonlite)})
dir <- "test/data"
out <- list()

record <- function(key, call, fit, term, data, formula_ivreg) {
  s <- summary(fit)$coefficients
  r <- list(call = call, term = term, n = nobs(fit), estimate = unname(coef(fit)[term]),
            std_error = s[term, "Std. Error"], statistic = s[term, "t value"], df = s[term, "DF"],
            p_value = s[term, "Pr(>|t|)"], conf_low = s[term, "CI Lower"], conf_high = s[term, "CI Upper"])
  if (!is.null(fit$nclusters)) r$n_clusters <- fit$nclusters
  iv <- ivreg(formula_ivreg, data = data)
  stopifnot(abs(coef(iv)[term] - r$estimate) < 1e-10 * max(1, abs(r$estimate)))
  r$ivreg_estimate <- unname(coef(iv)[term])
  cat(key, ":", r$estimate, r$std_error, r$df, r$p_value, "\n")
  out[[key]] <<- r
}

# The first-stage coefficient of the instrument and estimatr's robust first-stage F.
first_stage <- function(key, call, fit, data, formula_lm) {
  f <- lm(formula_lm, data = data)
  out[[key]]$first_stage <<- unname(coef(f)["z"])
  out[[key]]$first_stage_f <<- unname(fit$diagnostic_first_stage_fstatistic["value"])
  out[[key]]$first_stage_call <<- call
}

# ---- 1. simulated individually randomised trial, one-sided non-compliance ----
sim_file <- file.path(dir, "cace-sim.csv")
if (!file.exists(sim_file)) {
  set.seed(15)
  n <- 400
  age <- round(runif(n, 18, 60))
  ogrs3 <- round(plogis(rnorm(n, -0.4, 0.9)), 3)
  sex <- sample(c("female", "male"), n, replace = TRUE, prob = c(0.2, 0.8))
  arm <- sample(rep(c("treatment", "control"), each = n / 2))
  z <- as.integer(arm == "treatment")
  complier <- rbinom(n, 1, plogis(0.9 + 0.03 * (age - 35) - 1.2 * (ogrs3 - 0.4)))
  d <- z * complier
  sessions <- ifelse(d == 1, pmin(12, 1 + rpois(n, 6)), ifelse(z == 1, rbinom(n, 1, 0.3), 0L))
  p <- plogis(-0.6 + 2 * (ogrs3 - 0.4) - 0.02 * (age - 35) - 0.06 * sessions)
  reoffended <- rbinom(n, 1, p)
  reoffences <- ifelse(reoffended == 1, 1 + rpois(n, 1.5 * exp(-0.05 * sessions)), 0L)
  wellbeing <- round(50 + 0.2 * (age - 35) - 8 * ogrs3 + 0.8 * sessions + 3 * complier + rnorm(n, 0, 8), 1)
  sim <- data.frame(id = sprintf("S%04d", 1:n), arm = arm, age = age, ogrs3 = ogrs3, sex = sex,
                    received_intervention = ifelse(d == 1, "yes", "no"), sessions_attended = sessions,
                    reoffended = reoffended, reoffences = reoffences, wellbeing = wellbeing)
  write.csv(sim, sim_file, row.names = FALSE)
}
sim <- read.csv(sim_file)
sim$z <- as.integer(sim$arm == "treatment")
sim$d <- as.integer(sim$received_intervention == "yes")
sim$sexmale <- as.integer(sim$sex == "male")

for (y in c("reoffended", "reoffences", "wellbeing")) {
  f <- as.formula(paste(y, "~ d | z"))
  record(paste0("sim_", y), sprintf('iv_robust(%s ~ d | z, sim, se_type = "HC2")', y),
         iv_robust(f, sim, se_type = "HC2", diagnostics = TRUE), "d", sim, f)
  first_stage(paste0("sim_", y), "lm(d ~ z, sim); iv_robust(..., diagnostics = TRUE)$diagnostic_first_stage_fstatistic",
              iv_robust(f, sim, se_type = "HC2", diagnostics = TRUE), sim, d ~ z)
  wald <- (mean(sim[[y]][sim$z == 1]) - mean(sim[[y]][sim$z == 0])) / (mean(sim$d[sim$z == 1]) - mean(sim$d[sim$z == 0]))
  stopifnot(abs(wald - out[[paste0("sim_", y)]]$estimate) < 1e-12)
  out[[paste0("sim_", y)]]$wald <- wald
}
# Covariates in both stages (sex as R's treatment-coded factor: sexmale).
f <- reoffended ~ d + age + ogrs3 + sex | z + age + ogrs3 + sex
record("sim_reoffended_adjusted", 'iv_robust(reoffended ~ d + age + ogrs3 + sex | z + age + ogrs3 + sex, sim, se_type = "HC2")',
       iv_robust(f, sim, se_type = "HC2", diagnostics = TRUE), "d", sim, f)
first_stage("sim_reoffended_adjusted", "lm(d ~ z + age + ogrs3 + sex, sim); diagnostic_first_stage_fstatistic",
            iv_robust(f, sim, se_type = "HC2", diagnostics = TRUE), sim, d ~ z + age + ogrs3 + sex)
# HC0, as AER::ivreg with sandwich::vcovHC(type = "HC0").
fit0 <- iv_robust(reoffended ~ d | z, sim, se_type = "HC0")
iv0 <- ivreg(reoffended ~ d | z, data = sim)
out$sim_reoffended_hc0 <- list(call = 'iv_robust(reoffended ~ d | z, sim, se_type = "HC0"); sqrt(vcovHC(ivreg(reoffended ~ d | z, data = sim), type = "HC0")["d", "d"])',
                               estimate = unname(coef(fit0)["d"]), std_error = unname(fit0$std.error["d"]),
                               sandwich_std_error = sqrt(vcovHC(iv0, type = "HC0")["d", "d"]), df = unname(fit0$df["d"]))
stopifnot(abs(out$sim_reoffended_hc0$sandwich_std_error / out$sim_reoffended_hc0$std_error - 1) < 1e-10)
# Dose: sessions attended instrumented by allocation (exploratory).
for (y in c("reoffended", "wellbeing")) {
  f <- as.formula(paste(y, "~ sessions_attended | z"))
  record(paste0("sim_dose_", y), sprintf('iv_robust(%s ~ sessions_attended | z, sim, se_type = "HC2")', y),
         iv_robust(f, sim, se_type = "HC2"), "sessions_attended", sim, f)
}
f <- wellbeing ~ sessions_attended + age + ogrs3 | z + age + ogrs3
record("sim_dose_wellbeing_adjusted", 'iv_robust(wellbeing ~ sessions_attended + age + ogrs3 | z + age + ogrs3, sim, se_type = "HC2")',
       iv_robust(f, sim, se_type = "HC2"), "sessions_attended", sim, f)

# ---- 2. pcp fixture: cluster-randomised by team, CR2 + Satterthwaite df ----
o <- read.csv("/tmp/cace-pcp-out.csv", colClasses = c(reoffended = "character", withdrawn = "character"))
o <- o[o$measurable == "yes" & o$reoffended != "" & o$withdrawn != "yes", ]
pcp <- data.frame(id = o$id, team = o$team, arm = o$arm, ogrs3 = o$ogrs3, age = o$age,
                  received_intervention = o$received_intervention, sessions_attended = o$sessions_attended,
                  reoffended = as.integer(o$reoffended), reoffences = o$reoffences)
write.csv(pcp, file.path(dir, "cace-pcp.csv"), row.names = FALSE)
pcp <- read.csv(file.path(dir, "cace-pcp.csv"))
pcp$z <- as.integer(pcp$arm == "treatment")
pcp$d <- as.integer(pcp$received_intervention == "yes")
for (y in c("reoffended", "reoffences")) {
  f <- as.formula(paste(y, "~ d | z"))
  record(paste0("pcp_", y), sprintf('iv_robust(%s ~ d | z, pcp, clusters = team, se_type = "CR2")', y),
         iv_robust(f, pcp, clusters = team, se_type = "CR2"), "d", pcp, f)
  first_stage(paste0("pcp_", y), "lm(d ~ z, pcp); iv_robust(..., clusters = team, diagnostics = TRUE)$diagnostic_first_stage_fstatistic",
              iv_robust(f, pcp, clusters = team, se_type = "CR2", diagnostics = TRUE), pcp, d ~ z)
}
f <- reoffended ~ d + ogrs3 | z + ogrs3
record("pcp_reoffended_adjusted", 'iv_robust(reoffended ~ d + ogrs3 | z + ogrs3, pcp, clusters = team, se_type = "CR2")',
       iv_robust(f, pcp, clusters = team, se_type = "CR2"), "d", pcp, f)
first_stage("pcp_reoffended_adjusted", "lm(d ~ z + ogrs3, pcp); diagnostic_first_stage_fstatistic",
            iv_robust(f, pcp, clusters = team, se_type = "CR2", diagnostics = TRUE), pcp, d ~ z + ogrs3)
f <- reoffended ~ sessions_attended + ogrs3 | z + ogrs3
record("pcp_dose_reoffended_adjusted", 'iv_robust(reoffended ~ sessions_attended + ogrs3 | z + ogrs3, pcp, clusters = team, se_type = "CR2")',
       iv_robust(f, pcp, clusters = team, se_type = "CR2"), "sessions_attended", pcp, f)

writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(dir, "cace-references.json"))
