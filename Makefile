.PHONY: run test redis check bench simulate
run:        ## install everything, start Redis (and Rasa), serve the bot with the simulator
	bash scripts/run.sh
test:       ## the whole suite on real Redis (and a real Rasa server)
	bash scripts/test.sh
redis:
	bash scripts/env.sh && bash scripts/redis.sh
check:
	.venv/bin/python -m bot content check --strict
bench:
	bash scripts/env.sh && bash scripts/redis.sh && .venv/bin/python -m bot bench
simulate:
	.venv/bin/python -m bot simulate
