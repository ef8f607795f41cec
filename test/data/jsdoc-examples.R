# Reference values for the JSDoc @example blocks under src/ (checked by test/docs/jsdoc-examples.test.ts).
# R 4.2.2 with estimatr, lme4, MASS, sandwich, mice, survival. Run: Rscript test/data/jsdoc-examples.R
# Each line prints the R call and its value; the examples show these values to the digits they print.
suppressMessages({ library(estimatr); library(lme4); library(MASS); library(sandwich); library(mice); library(survival) })
show <- function(call) cat(sprintf("%-100s %s\n", call, paste(format(eval(parse(text = call)), digits = 17), collapse = " ")))
# distributions.ts
for (call in c("lgamma(0.5)", "lchoose(10, 3)", "pnorm(1.959963984540054)", "qnorm(0.975)", "pchisq(3.841458820694124, 1)",
               "pbeta(0.5, 2, 3)", "pt(2, 10)", "qt(0.975, 10)", "pf(4.964602743730711, 1, 10)", "pt(2, 10, ncp = 1)",
               "dbinom(3, 10, 0.3)", "pbinom(3, 10, 0.3)", "dpois(2, 3)", "ppois(2, 3)")) show(call)
# binary-power.ts, powerup.ts, event-power.ts, binary-pbr.ts
show("2 * asin(sqrt(.65)) - 2 * asin(sqrt(.45))")  # pwr::ES.h(.65, .45)
show("power.prop.test(n = 76.65, p1 = .5, p2 = .75)$power")
show("power.prop.test(p1 = .5, p2 = .75, power = .9)$n")
show("(qt(.975, 248) + qt(.8, 248)) * sqrt(1 / (.25 * 250))")  # PowerUpR::mdes.ira(n = 250)
show("{ se <- sqrt(1 / (.25 * 250)); 1 - pt(qt(.975, 248), 248, .3556 / se) + pt(-qt(.975, 248), 248, .3556 / se) }")  # PowerUpR::power.ira
show("4 * (qnorm(.975) + qnorm(.8))^2 / log(.7)^2")
show("c(pbinom(26, 100, .35), pbinom(27, 100, .35))")
# wilson.ts, fisher-exact.ts, welch-t-test.ts, balance.ts, cholesky.ts, rubin.ts
show("prop.test(3, 10, correct = FALSE)$conf.int")
show("fisher.test(matrix(c(3, 1, 1, 3), 2))$p.value")
show("t.test(c(1, 2, 3, 4), c(2, 4, 6, 8, 10))$p.value")
show("(50 - 35) / sqrt((var(c(40, 60)) + var(c(30, 40))) / 2)")
show("t(chol(matrix(c(4, 2, 2, 3), 2)))")
show("mice::pool.scalar(c(.1, .12), c(.001, .0011), n = 200, k = 2)$qbar")
# logistic-regression.ts, primary-effect.ts, robust-lm.ts
y <- c(1, 1, 0, 1, 0, 0, 1, 0); arm <- c(0, 0, 0, 0, 1, 1, 1, 1)
show("coef(glm(y ~ arm, family = binomial))[2]")
show("coef(summary(lm_robust(y ~ arm, se_type = 'HC2')))['arm', c('Estimate', 'Std. Error', 'DF')]")
# poisson-regression.ts, count-regression.ts
yc <- c(0, 1, 3, 5, 2, 8, 0, 4, 10, 1); a2 <- c(0, 0, 0, 0, 0, 1, 1, 1, 1, 1)
show("sqrt(vcovHC(glm(yc ~ a2, family = poisson), type = 'HC0')[2, 2])")
show("glm.nb(yc ~ a2)$theta")
# iv-regression.ts
yi <- c(1, 0, 1, 1, 0, 0, 1, 0, 0, 0); d <- c(1, 1, 1, 0, 0, 0, 0, 0, 0, 0); z <- c(1, 1, 1, 1, 1, 0, 0, 0, 0, 0)
show("coef(summary(iv_robust(yi ~ d | z, se_type = 'HC2')))['d', c('Estimate', 'Std. Error')]")
# reml.ts
yr <- c(3, 4, 5, 6, 7, 8, 2, 3, 3, 7, 9, 8); team <- rep(c("a", "b", "c", "d"), each = 3); arm4 <- c(0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1)
show("{ vc <- as.data.frame(VarCorr(lmer(yr ~ arm4 + (1 | team)))); vc$vcov[1] / sum(vc$vcov) }")
# sandwich.ts
ys <- c(1, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0); ax <- rep(0:1, each = 6); tx <- rep(0:5, each = 2)
show("vcovCL(glm(ys ~ ax, family = binomial), cluster = ~tx)[2, 2]")
# glmm-logistic.ts
yg <- c(1,1,1,0,1,1, 0,0,1,0,0,0, 1,1,0,1,0,1, 0,0,0,0,1,0, 1,0,1,0,0,0, 0,0,0,0,0,1, 0,1,1,1,0,0, 1,0,0,0,0,0)
tg <- rep(0:7, each = 6); ag <- as.numeric(tg >= 4)
show("fixef(glmer(yg ~ ag + (1 | tg), family = binomial, control = glmerControl(tolPwrss = 1e-13)))[2]")
# cox-regression.ts, logrank.ts
show("exp(coef(coxph(Surv(c(1, 2, 3, 4, 5, 6), c(1, 1, 1, 1, 0, 1)) ~ c(0, 1, 0, 1, 0, 1))))")
show("survdiff(Surv(c(1, 2, 3, 4), c(1, 1, 1, 1)) ~ c(0, 1, 0, 1))$chisq")
