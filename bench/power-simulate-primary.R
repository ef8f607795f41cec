# The R loop for `pilot-eval power --outcome binary --p1 0.35 --p2 0.288 --icc 0.027 --cluster-size 25
# --n 500 --simulate 2000 --seed 1` with the default (primary) analysis: 40 teams of 25, half the
# teams to each arm (complete randomisation), logit-normal team effect with latent ICC, each
# replicate analysed with estimatr::lm_robust(y ~ arm, clusters = team, se_type = "CR2") (the
# headline's linear probability model, CR2 SE with Satterthwaite df). The truth is the
# population-averaged risk difference, by integrate(). R's random numbers differ from pilot-eval's,
# so the two agree within Monte Carlo error, not to the digit.
# Run: Rscript bench/power-simulate-primary.R [reps]   (compare: node bench/power-simulate-agreement.mjs)
library(estimatr)
args <- commandArgs(trailingOnly = TRUE)
reps <- if (length(args) > 0) as.integer(args[1]) else 2000L
p1 <- 0.35; p2 <- 0.288; icc <- 0.027; m <- 25; J <- 40
sigma <- sqrt(icc / (1 - icc) * pi^2 / 3)
marg <- function(p) integrate(function(u) plogis(qlogis(p) + u) * dnorm(u, 0, sigma), -Inf, Inf, rel.tol = 1e-13)$value
truth <- marg(p2) - marg(p1)
team <- rep(seq_len(J), each = m)
set.seed(1)
t0 <- proc.time()[["elapsed"]]
est <- se <- pv <- lo <- hi <- dfs <- numeric(reps)
for (r in seq_len(reps)) {
  arm_team <- sample(rep(0:1, J / 2))
  u <- rnorm(J, 0, sigma)
  arm <- arm_team[team]
  y <- rbinom(J * m, 1, plogis(qlogis(p1) + (qlogis(p2) - qlogis(p1)) * arm + u[team]))
  fit <- lm_robust(y ~ arm, clusters = team, se_type = "CR2")
  est[r] <- coef(fit)[["arm"]]; se[r] <- fit$std.error[["arm"]]; pv[r] <- fit$p.value[["arm"]]
  lo[r] <- fit$conf.low[["arm"]]; hi[r] <- fit$conf.high[["arm"]]; dfs[r] <- fit$df[["arm"]]
}
secs <- proc.time()[["elapsed"]] - t0
ok <- is.finite(pv)
power <- mean(ok & pv <= 0.05)
cat(sprintf('{"reps": %d, "seconds": %.3f, "truth": %.10f, "power": %.4f, "power_mcse": %.4f, "bias": %.6f, "rmse": %.6f, "coverage": %.4f, "mean_df": %.3f, "failed_reps": %d}\n',
  reps, secs, truth, power, sqrt(power * (1 - power) / reps), mean(est[ok] - truth), sqrt(mean((est[ok] - truth)^2)),
  mean(lo[ok] <= truth & truth <= hi[ok]), mean(dfs[ok]), sum(!ok)))
