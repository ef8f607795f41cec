# The plain R loop that `pilot-eval power --outcome binary --p1 0.35 --p2 0.288 --icc 0.027
# --cluster-size 25 --n 500 --simulate 2000 --seed 1` replaces: 40 teams of 25, half the teams to
# each arm (complete randomisation), logit-normal team effect with latent ICC, glm + sandwich::vcovCL
# per replicate. Run: Rscript bench/power-simulate.R [reps]   (compare: node bench/power-simulate.mjs)
library(sandwich)
args <- commandArgs(trailingOnly = TRUE)
reps <- if (length(args) > 0) as.integer(args[1]) else 2000L
p1 <- 0.35; p2 <- 0.288; icc <- 0.027; m <- 25; J <- 40
sigma <- sqrt(icc / (1 - icc) * pi^2 / 3)
truth <- qlogis(p2) - qlogis(p1)
team <- rep(seq_len(J), each = m)
set.seed(1)
t0 <- proc.time()[["elapsed"]]
est <- se <- numeric(reps)
for (r in seq_len(reps)) {
  arm_team <- sample(rep(0:1, J / 2))
  u <- rnorm(J, 0, sigma)
  arm <- arm_team[team]
  y <- rbinom(J * m, 1, plogis(qlogis(p1) + truth * arm + u[team]))
  fit <- glm(y ~ arm, family = binomial)
  est[r] <- coef(fit)[2]
  se[r] <- sqrt(vcovCL(fit, cluster = team)[2, 2])
}
secs <- proc.time()[["elapsed"]] - t0
z <- est / se
power <- mean(2 * pnorm(-abs(z)) <= 0.05)
cat(sprintf('{"reps": %d, "seconds": %.3f, "power": %.4f, "power_mcse": %.4f, "bias": %.5f, "rmse": %.5f, "coverage": %.4f}\n',
  reps, secs, power, sqrt(power * (1 - power) / reps), mean(est - truth), sqrt(mean((est - truth)^2)),
  mean(abs(est - truth) <= qnorm(0.975) * se)))
