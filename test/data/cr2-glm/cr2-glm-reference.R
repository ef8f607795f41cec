# CR2 + Satterthwaite inference for cluster-robust GLMs (clubSandwich), the reference values of
# src/core/stats/glm-cr2.test.ts. Run from test/data/cr2-glm: Rscript cr2-glm-reference.R > cr2-glm-reference.out
suppressMessages({ library(lme4); library(clubSandwich); library(sandwich) })
options(digits = 15)
# Tight IRLS convergence so the references are the MLE to rounding (R's default epsilon 1e-8 stops
# about 1e-5 short in the SE); pilot-eval iterates to 1e-10 and beyond.
ctl <- glm.control(epsilon = 1e-14, maxit = 100)
data(cbpp, package = "lme4")
# Per-animal expansion: one row per animal, y = 1 for an incident case.
rows <- lapply(seq_len(nrow(cbpp)), function(i) {
  r <- cbpp[i, ]
  data.frame(herd = as.integer(r$herd), period = as.integer(r$period),
             y = c(rep(1, r$incidence), rep(0, r$size - r$incidence)))
})
an <- do.call(rbind, rows)
an$arm <- as.integer(an$herd %% 2 == 1)    # a cluster-level "arm": odd herds
an$late <- as.integer(an$period >= 3)      # varies within herd
write.csv(an, "cbpp-animals.csv", row.names = FALSE)
show <- function(label, fit, cl, coef = "arm") {
  ct <- coef_test(fit, vcov = "CR2", cluster = cl, test = "Satterthwaite")
  i <- which(rownames(ct) == coef)
  V <- vcovCR(fit, cluster = cl, type = "CR2")
  cat(sprintf("%s: est %.15g se %.15g df %.15g p %.15g vcovCL_se %.15g\n", label, ct$beta[i], ct$SE[i], ct$df_Satt[i], ct$p_Satt[i],
              sqrt(vcovCL(fit, cluster = cl)[coef, coef])))
}
# 1. logistic, arm only (mu constant within herd)
f1 <- glm(y ~ arm, family = binomial, data = an, control = ctl)
show("logit_arm", f1, an$herd)
# 2. logistic, arm + late (mu varies within herd)
f2 <- glm(y ~ arm + late, family = binomial, data = an, control = ctl)
show("logit_arm_late", f2, an$herd)
# 3. logistic with prior weights (w = 1 + (row index mod 3)), arm + late
an$w <- 1 + (seq_len(nrow(an)) %% 3)
f3 <- suppressWarnings(glm(y ~ arm + late, family = binomial, data = an, weights = w, control = ctl))
show("logit_weighted", f3, an$herd)
# 4. Poisson on herd-periods: incidence ~ arm + offset(log(size))
cb <- cbpp; cb$arm <- as.integer(as.integer(cb$herd) %% 2 == 1); cb$herd_i <- as.integer(cb$herd)
write.csv(data.frame(herd = cb$herd_i, period = as.integer(cb$period), incidence = cb$incidence, size = cb$size, arm = cb$arm), "cbpp-herd-periods.csv", row.names = FALSE)
f4 <- glm(incidence ~ arm + offset(log(size)), family = poisson, data = cb, control = ctl)
show("poisson_offset", f4, cb$herd_i)
# 5. Poisson without offset, arm + period as numeric
cb$per <- as.integer(cb$period)
f5 <- glm(incidence ~ arm + per, family = poisson, data = cb, control = ctl)
show("poisson_arm_per", f5, cb$herd_i)
# The same data as trial files for analyse (arm labels, team = herd, outcomes named as pilot-eval's).
write.csv(data.frame(id = seq_len(nrow(an)), arm = ifelse(an$arm == 1, "treatment", "control"), team = paste0("h", an$herd),
                     late = an$late, reoffended = an$y), "cbpp-trial.csv", row.names = FALSE)
write.csv(data.frame(id = seq_len(nrow(cb)), arm = ifelse(cb$arm == 1, "treatment", "control"), team = paste0("h", cb$herd_i),
                     size = cb$size, reoffences = cb$incidence), "cbpp-counts-trial.csv", row.names = FALSE)
ci <- function(label, fit, cl) {
  x <- conf_int(fit, vcov = "CR2", cluster = cl, level = 0.95, coefs = "arm")
  cat(sprintf("%s_ci: lo %.15g hi %.15g\n", label, exp(x$CI_L), exp(x$CI_U)))
}
ci("logit_arm", f1, an$herd)
ci("logit_arm_late", f2, an$herd)
ci("poisson_offset", f4, cb$herd_i)
# Subgroup interaction (arm x late) with CR2: coef_test on the 1-df interaction term, and the same
# test as Wald_test(..., test = "HTZ") (F = t^2 on 1 and df, the same p).
f6 <- glm(y ~ arm * late, family = binomial, data = an, control = ctl)
ct6 <- coef_test(f6, vcov = "CR2", cluster = an$herd, test = "Satterthwaite")
w6 <- Wald_test(f6, constraints = constrain_zero("arm:late"), vcov = "CR2", cluster = an$herd, test = "HTZ")
cat(sprintf("interaction_late: t %.15g df %.15g p %.15g F %.15g p_HTZ %.15g\n", ct6["arm:late", "tstat"], ct6["arm:late", "df_Satt"], ct6["arm:late", "p_Satt"], w6$Fstat, w6$p_val))
# Larger clusters with a continuous covariate (every row its own covariate pattern): 12 clusters of
# 60, exercising the quadrature route of glmCr2 (clusters with more than 40 patterns).
set.seed(20261206)
sy <- data.frame(cl = rep(1:12, each = 60))
sy$arm <- as.integer(sy$cl %% 2 == 0)
sy$x <- round(rnorm(nrow(sy)), 4)
u <- rnorm(12, sd = 0.5)[sy$cl]
sy$y <- rbinom(nrow(sy), 1, plogis(-0.5 + 0.3 * sy$arm + 0.8 * sy$x + u))
sy$w <- round(runif(nrow(sy), 0.5, 2), 3)
write.csv(sy, "synthetic-large-clusters.csv", row.names = FALSE)
f7 <- suppressWarnings(glm(y ~ arm + x, family = binomial, data = sy, weights = w, control = ctl))
show("large_weighted", f7, sy$cl)
f8 <- glm(y ~ arm + x, family = binomial, data = sy, control = ctl)
show("large_unweighted", f8, sy$cl)
# The pilot-eval cluster fixture test/data/sim-cluster-trial.csv (from make-analyse-references.R):
# cluster_robust_odds_ratio adjusted for ogrs3 and the clustered Poisson rate ratio, CR2 by team.
sim <- read.csv("../sim-cluster-trial.csv")
sim$a <- as.integer(sim$arm == "treatment")
f9 <- glm(reoffended ~ a + ogrs3, family = binomial, data = sim, control = ctl)
show("sim_logit_ogrs3", f9, sim$team, coef = "a")
f10 <- glm(reoffences ~ a, family = poisson, data = sim, control = ctl)
show("sim_poisson", f10, sim$team, coef = "a")
cat(sprintf("sim clusters: %d\n", length(unique(sim$team))))
