# Reference values for test/analysis/multiple-imputation.test.ts (R 4.2, mice 3.15.0).
# Run from the repository root: Rscript test/data/make-mi-references.R
# Writes test/data/mi-trial.csv (a trial with outcomes and ages missing at random),
# test/data/mi-completed.csv (mice's m = 5 completed data sets, long format) and
# test/data/mi-references.json (mice's pooled results on those completed sets).
suppressMessages(library(mice))
set.seed(20261206)
n <- 300
treat <- rbinom(n, 1, 0.5)
age <- pmax(18, round(rnorm(n, 30, 8)))  # adults: the case schema accepts ages 10-110
female <- rbinom(n, 1, 0.25)
reoffended <- rbinom(n, 1, plogis(-0.4 - 0.5 * treat - 0.04 * (age - 30) - 0.5 * female))
# MAR: the young and the treated are lost more often; some ages unrecorded.
lost <- runif(n) < plogis(-1.8 + 0.6 * treat - 0.06 * (age - 30))
reoffended[lost] <- NA
age[runif(n) < 0.1] <- NA
d <- data.frame(id = sprintf("P%03d", 1:n), arm = ifelse(treat == 1, "treatment", "control"), age, female, reoffended)
write.csv(d, "test/data/mi-trial.csv", row.names = FALSE, na = "")

dd <- data.frame(treat, age, female, reoffended)
imp <- mice(dd, m = 5, seed = 1, printFlag = FALSE)
long <- complete(imp, "long")
write.csv(long[, c(".imp", ".id", "treat", "age", "female", "reoffended")], "test/data/mi-completed.csv", row.names = FALSE)

# Risk difference (Wald variance) per completed set, pooled by mice::pool.scalar with dfcom = n - 2.
rd <- t(sapply(1:5, function(i) {
  ci <- complete(imp, i)
  pT <- mean(ci$reoffended[ci$treat == 1]); pC <- mean(ci$reoffended[ci$treat == 0])
  nT <- sum(ci$treat == 1); nC <- sum(ci$treat == 0)
  c(pT - pC, pT * (1 - pT) / nT + pC * (1 - pC) / nC)
}))
ps <- pool.scalar(rd[, 1], rd[, 2], n = n, k = 2)
rd_ci <- ps$qbar + c(-1, 1) * qt(0.975, ps$df) * sqrt(ps$t)

# Adjusted log odds ratio: mice::pool on glm fits of the completed sets.
# (glm's convergence tolerance tightened so that R's own iteration error, ~1e-8 in the SE, does not
# hide ours; the completed data sets are unchanged)
fit <- with(imp, glm(reoffended ~ treat + age + female, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100)))
sp <- summary(pool(fit), conf.int = TRUE)
row <- sp[sp$term == "treat", ]
pl <- pool(fit)$pooled
pr <- pl[pl$term == "treat", ]

out <- list(
  call_rd = "pool.scalar(Q, U, n = 300, k = 2) on Q = pT - pC, U = pT(1-pT)/nT + pC(1-pC)/nC per complete(imp, i)",
  rd = list(qbar = ps$qbar, ubar = ps$ubar, b = ps$b, t = ps$t, df = ps$df, fmi = ps$fmi, riv = ps$r, conf_low = rd_ci[1], conf_high = rd_ci[2]),
  call_or = "summary(pool(with(imp, glm(reoffended ~ treat + age + female, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100)))), conf.int = TRUE)",
  or = list(estimate = row$estimate, std_error = row$std.error, statistic = row$statistic, df = row$df, p_value = row$p.value,
            conf_low = row[["2.5 %"]], conf_high = row[["97.5 %"]], ubar = pr$ubar, b = pr$b, t = pr$t, dfcom = pr$dfcom, fmi = pr$fmi)
)
writeLines(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "test/data/mi-references.json")

# Large-m mice run on the same incomplete data, for a loose agreement check of the whole procedure
# (different random numbers, so not equal): logreg for the outcome, pmm for age.
dd2 <- dd; dd2$reoffended <- factor(dd2$reoffended)
imp2 <- mice(dd2, m = 100, seed = 2, printFlag = FALSE, method = c("", "pmm", "", "logreg"))
rd2 <- t(sapply(1:100, function(i) {
  ci <- complete(imp2, i); y <- as.numeric(as.character(ci$reoffended))
  pT <- mean(y[ci$treat == 1]); pC <- mean(y[ci$treat == 0])
  c(pT - pC, pT * (1 - pT) / sum(ci$treat == 1) + pC * (1 - pC) / sum(ci$treat == 0))
}))
ps2 <- pool.scalar(rd2[, 1], rd2[, 2], n = n, k = 2)
cat(jsonlite::toJSON(list(mice_m100_rd = ps2$qbar, mice_m100_se = sqrt(ps2$t), complete_case_rd = mean(dd$reoffended[dd$treat == 1], na.rm = TRUE) - mean(dd$reoffended[dd$treat == 0], na.rm = TRUE)), auto_unbox = TRUE, digits = NA), "\n")
